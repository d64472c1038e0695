/**
 * Every stage kind loki.process knows, the `stage.*` block schemas (stage.match
 * nests the same set, itself included) and building a pipeline from decoded
 * blocks.
 */
import type { BlockSchema } from '../../../lang/schema.js';
import { criStage, dockerStage } from './container.js';
import { dropStage, samplingStage } from './drop.js';
import { eventLogMessageStage } from './eventlog.js';
import { geoipStage } from './geoip.js';
import { jsonStage, splitJsonStage } from './json.js';
import {
  labelDropStage,
  labelKeepStage,
  labelsStage,
  staticLabelsStage,
  structuredMetadataDropStage,
  structuredMetadataStage,
  tenantStage,
} from './labels.js';
import { limitStage } from './limit.js';
import { logfmtStage } from './logfmt.js';
import { matchStageDef } from './match.js';
import { metricsStage } from './metrics.js';
import { multilineStage } from './multiline.js';
import { outputStage, packStage } from './output.js';
import { patternStage, regexStage, replaceStage } from './regex.js';
import { Pipeline, type Stage, type StageConfig, type StageContext, type StageDef } from './stage.js';
import { templateStage } from './template.js';
import { decolorizeStage, luhnStage, truncateStage } from './text.js';
import { timestampStage } from './timestamp.js';

const DEFS: StageDef[] = [
  criStage,
  decolorizeStage,
  dockerStage,
  dropStage,
  eventLogMessageStage,
  geoipStage,
  jsonStage,
  labelDropStage,
  labelKeepStage,
  labelsStage,
  limitStage,
  logfmtStage,
  luhnStage,
  metricsStage,
  multilineStage,
  outputStage,
  packStage,
  patternStage,
  regexStage,
  replaceStage,
  samplingStage,
  splitJsonStage,
  staticLabelsStage,
  structuredMetadataStage,
  structuredMetadataDropStage,
  templateStage,
  tenantStage,
  timestampStage,
  truncateStage,
] as StageDef[];

/** `stage.<name>` → block schema; stage.match is added below, once it can refer to this object. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const STAGE_BLOCKS: Record<string, BlockSchema<any>> = Object.fromEntries(DEFS.map((d) => [d.name, d.schema]));

const byName = new Map<string, StageDef>(DEFS.map((d) => [d.name, d]));

const matchStage = matchStageDef(STAGE_BLOCKS, (configs, ctx) => buildPipeline(configs, ctx, true));
STAGE_BLOCKS[matchStage.name] = matchStage.schema;
byName.set(matchStage.name, matchStage);

/** Builds the stages of decoded `stage.*` blocks; `nested` for pipelines inside stage.match. */
export function buildPipeline(configs: readonly StageConfig[], ctx: StageContext, nested = false): Pipeline {
  const stages: Stage[] = configs.map((c) => {
    const def = byName.get(c.name);
    if (!def) throw new Error(`unknown stage ${c.name}`);
    return def.build(c.value, ctx);
  });
  return new Pipeline(stages, nested, ctx.logger);
}
