import type { ValidateFunction } from "ajv";

/** Ajv's draft-07 meta-schema validator, generated ahead of time (see json-schema-meta.generated.js). */
declare const validateAgainstMetaSchema: ValidateFunction;
export default validateAgainstMetaSchema;
