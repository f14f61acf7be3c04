// Service level badge of a queue item or ticket: the one rule, kept here.

/** The policy's default warning shares (ventanilla.sla.targets.DEFAULT_WARNINGS); /config has the real ones. */
export const DEFAULT_WARNINGS = [0.5, 0.8];

/**
 * 'breached' | 'paused' | 'at_risk' | 'on_time', or null once resolved or closed.
 * Breached: a breach was recorded (`breached`) or the soonest pending due (`next_due`) has passed.
 * At risk: a warning was raised by the timers (`warned`, counted in business time) for a target
 * still pending, or, before any timer fired, the last warning share of the wall-clock time from
 * filing to `next_due` has gone by. Paused: waiting for the citizen (the clocks are stopped).
 */
export function slaState(item, now = Date.now(), warnings = DEFAULT_WARNINGS) {
  const { status } = item;
  if (status === 'resolved' || status === 'closed') return null;
  if ((item.breached || []).length) return 'breached';
  if (status === 'waiting_citizen') return 'paused';
  const due = Date.parse(item.next_due || item.expected_response_by);
  if (now >= due) return 'breached';
  const pending = (target) => target !== 'first_response' || !item.first_response_at;
  if ((item.warned || []).some((w) => pending(w.split(':')[0]))) return 'at_risk';
  const start = Date.parse(item.created_at);
  const total = due - start;
  const share = warnings.length ? Math.max(...warnings) : 0.8;
  return total > 0 && (now - start) / total >= share ? 'at_risk' : 'on_time';
}

/** Which target `next_due` is: 'legal' | 'resolution' | 'first_response'. */
export function nextTarget(item) {
  const next = item.next_due;
  if (!next) return 'first_response';
  if (item.legal_due && Date.parse(item.legal_due) === Date.parse(next)) return 'legal';
  if (item.resolution_due && Date.parse(item.resolution_due) === Date.parse(next)) return 'resolution';
  return 'first_response';
}
