import type { ExplanationRecord } from '../../core/escalation-case.js';
import type { AuditStore, ExplanationQuery } from '../../core/ports/audit-store.js';
import { explanationFromRow, toIsoInstant } from '../stored-rows.js';
import type { PostgresConnection } from './postgres-connection.js';
import { EXPLANATION_COLUMNS } from './postgres-row-writes.js';

/** Explanation records in Postgres, read for export and review. */
export class PostgresAuditStore implements AuditStore {
  constructor(private readonly connection: PostgresConnection) {}

  async listExplanations(query: ExplanationQuery): Promise<ExplanationRecord[]> {
    const rows = await this.connection.query(
      'candor_list_explanations',
      `SELECT ${EXPLANATION_COLUMNS} FROM explanations
       WHERE ($1::text IS NULL OR customer_id = $1)
         AND ($2::timestamptz IS NULL OR created_at >= $2)
         AND ($3::timestamptz IS NULL OR created_at < $3)
       ORDER BY created_at, id`,
      [
        query.customerId ?? null,
        query.from === undefined ? null : toIsoInstant(query.from),
        query.to === undefined ? null : toIsoInstant(query.to),
      ],
    );
    return rows.map(explanationFromRow);
  }
}
