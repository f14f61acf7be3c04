// Service level badge of a queue item: the one rule, kept here.

/** Share of the time to the target under which a ticket is "at risk". */
export const AT_RISK_SHARE = 0.25;

/**
 * 'on_time' | 'at_risk' | 'breached' for the first-response target `dueAt` of a ticket created at
 * `createdAt`; 'paused' while waiting for the citizen; null once resolved or closed.
 */
export function slaState({ status, created_at: createdAt, expected_response_by: dueAt }, now = Date.now()) {
  if (status === 'resolved' || status === 'closed') return null;
  if (status === 'waiting_citizen') return 'paused';
  const start = Date.parse(createdAt);
  const due = Date.parse(dueAt);
  if (now >= due) return 'breached';
  const total = due - start;
  return total > 0 && (due - now) / total < AT_RISK_SHARE ? 'at_risk' : 'on_time';
}
