/**
 * Component health as Alloy reports it. A component's overall health is the
 * least healthy of its evaluation, run and self-reported health; ties go to
 * the most recent update.
 */
export type HealthState = 'healthy' | 'unknown' | 'unhealthy' | 'exited';

export interface Health {
  state: HealthState;
  message: string;
  updated: Date;
}

const SEVERITY: Record<HealthState, number> = { healthy: 0, unknown: 1, unhealthy: 2, exited: 3 };

export function health(state: HealthState, message: string, updated = new Date()): Health {
  return { state, message, updated };
}

/** The least healthy of the given reports (undefined entries are ignored). */
export function leastHealthy(...reports: (Health | undefined)[]): Health {
  let worst: Health | undefined;
  for (const h of reports) {
    if (!h) continue;
    if (!worst) worst = h;
    else {
      const diff = SEVERITY[h.state] - SEVERITY[worst.state];
      if (diff > 0 || (diff === 0 && h.updated > worst.updated)) worst = h;
    }
  }
  return worst ?? health('unknown', '', new Date(0));
}
