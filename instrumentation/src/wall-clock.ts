/**
 * What to add to a `performance.now()` reading to put it on the wall clock, as the OTel SDK
 * dates a span whose start or end is given as such a reading. Taken now rather than from
 * `performance.timeOrigin`: the monotonic clock drifts from the wall clock over a process's
 * life (a millisecond within minutes on a CI machine) and stops while the host sleeps.
 */
export function wallClockOffsetMs(): number {
  return Date.now() - performance.now();
}
