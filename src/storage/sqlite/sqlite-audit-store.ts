import type Database from 'better-sqlite3';
import type { ExplanationRecord } from '../../core/escalation-case.js';
import type { AuditStore, ExplanationQuery } from '../../core/ports/audit-store.js';
import { explanationFromRow, toIsoInstant } from '../stored-rows.js';
import type { SqliteConnection } from './sqlite-connection.js';

type Row = Record<string, unknown>;

/** Explanation records in SQLite, read for export and review. */
export class SqliteAuditStore implements AuditStore {
  private readonly sql: ReturnType<typeof prepareStatements>;

  constructor(private readonly connection: SqliteConnection) {
    this.sql = prepareStatements(connection.db);
  }

  async listExplanations(query: ExplanationQuery): Promise<ExplanationRecord[]> {
    const params = {
      customerId: query.customerId ?? null,
      from: query.from === undefined ? null : toIsoInstant(query.from),
      to: query.to === undefined ? null : toIsoInstant(query.to),
    };
    return this.connection.read(() => (this.sql.listExplanations.all(params) as Row[]).map(explanationFromRow));
  }
}

function prepareStatements(db: Database.Database) {
  return {
    listExplanations: db.prepare(`
      SELECT * FROM explanations
      WHERE (@customerId IS NULL OR customer_id = @customerId)
        AND (@from IS NULL OR created_at >= @from)
        AND (@to IS NULL OR created_at < @to)
      ORDER BY created_at, id`),
  };
}
