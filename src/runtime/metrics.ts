/**
 * Merging Prometheus text expositions from several registries (the core one
 * and one per component): series of the same family must share one
 * HELP/TYPE header, so families are grouped by name across inputs.
 */
export function mergeExpositions(texts: readonly string[]): string {
  const families = new Map<string, { header: string[]; samples: string[] }>();
  for (const text of texts) {
    let current: { header: string[]; samples: string[] } | undefined;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const meta = /^# (HELP|TYPE) (\S+)/.exec(line);
      if (meta) {
        const name = meta[2]!;
        let fam = families.get(name);
        if (!fam) families.set(name, (fam = { header: [], samples: [] }));
        if (fam.header.length < 2 && !fam.header.some((h) => h.startsWith(`# ${meta[1]} `))) fam.header.push(line);
        current = fam;
        continue;
      }
      if (line.startsWith('#')) continue;
      if (!current) {
        const name = /^[^{\s]+/.exec(line)![0];
        let fam = families.get(name);
        if (!fam) families.set(name, (fam = { header: [], samples: [] }));
        current = fam;
      }
      current.samples.push(line);
    }
  }
  let out = '';
  for (const fam of families.values()) {
    if (fam.samples.length === 0) continue;
    out += fam.header.join('\n') + (fam.header.length ? '\n' : '') + fam.samples.join('\n') + '\n';
  }
  return out;
}
