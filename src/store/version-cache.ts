import type { Database, Statement } from "bun:sqlite";
import type { CheckedFile, CheckedFileRecord } from "../core/store.ts";
import { type VersionRow, versionFromRow } from "./codec.ts";

/*
 * The workflow files a validator already passed (table workflow_file_checks, migration 3): at a
 * restart the registry takes the stored version of a file whose bytes are unchanged instead of
 * parsing and validating it again. Statements are prepared once per database.
 */

interface CheckStatements {
  list: Statement<VersionRow & { file: string }, [{ validator: string }]>;
  upsert: Statement<unknown, [{ file: string; workflow_id: string; version_id: string; validator: string }]>;
  remove: Statement<unknown, [{ file: string }]>;
}

const prepared = new WeakMap<Database, CheckStatements>();

function statementsOf(db: Database): CheckStatements {
  let statements = prepared.get(db);
  if (!statements) {
    statements = {
      list: db.query(
        `SELECT c.file, v.* FROM workflow_file_checks c
         JOIN workflow_versions v ON v.workflow_id = c.workflow_id AND v.version_id = c.version_id
         WHERE c.validator = $validator`,
      ),
      upsert: db.query(
        `INSERT INTO workflow_file_checks (file, workflow_id, version_id, validator)
         VALUES ($file, $workflow_id, $version_id, $validator)
         ON CONFLICT (file) DO UPDATE SET workflow_id = excluded.workflow_id,
           version_id = excluded.version_id, validator = excluded.validator`,
      ),
      remove: db.query("DELETE FROM workflow_file_checks WHERE file = $file"),
    };
    prepared.set(db, statements);
  }
  return statements;
}

/** Every file `validator` passed whose version is stored, with that version. */
export function listCheckedFiles(db: Database, validator: string): CheckedFile[] {
  return statementsOf(db)
    .list.all({ validator })
    .map(({ file, ...row }) => ({ file, version: versionFromRow(row) }));
}

/** Records (or replaces) the checked content of `files` and forgets the files of `forget`. */
export function recordCheckedFiles(
  db: Database,
  validator: string,
  files: readonly CheckedFileRecord[],
  forget: readonly string[],
): void {
  const statements = statementsOf(db);
  for (const file of forget) statements.remove.run({ file });
  for (const { file, workflowId, versionId } of files) {
    statements.upsert.run({ file, workflow_id: workflowId, version_id: versionId, validator });
  }
}
