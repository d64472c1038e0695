/**
 * Collectors of hardware sensors and counters in sysfs (prometheus/
 * node_exporter v1.5.0 collector/cpufreq_linux.go, thermal_zone_linux.go,
 * edac_linux.go, powersupplyclass_linux.go, hwmon_linux.go, with
 * prometheus/procfs sysfs/ for what those read). Virtual machines and
 * containers often have none of these: a missing class directory exposes
 * nothing.
 */
import { realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Re2Regexp } from '../../../go/regexp/regexp.js';
import { isDirectory, listDir, NoDataError, readSensorAttribute, readSensorNumber, readText, type Collector, type CollectorEnv } from './collector.js';
import { cpuDirectories } from './cpu.js';
import { addLabelled, type Exposition } from './exposition.js';

const CPUFREQ_FILES: readonly (readonly [file: string, name: string, help: string])[] = [
  ['cpuinfo_cur_freq', 'node_cpu_frequency_hertz', 'Current cpu thread frequency in hertz.'],
  ['cpuinfo_min_freq', 'node_cpu_frequency_min_hertz', 'Minimum cpu thread frequency in hertz.'],
  ['cpuinfo_max_freq', 'node_cpu_frequency_max_hertz', 'Maximum cpu thread frequency in hertz.'],
  ['scaling_cur_freq', 'node_cpu_scaling_frequency_hertz', 'Current scaled CPU thread frequency in hertz.'],
  ['scaling_min_freq', 'node_cpu_scaling_frequency_min_hertz', 'Minimum scaled CPU thread frequency in hertz.'],
  ['scaling_max_freq', 'node_cpu_scaling_frequency_max_hertz', 'Maximum scaled CPU thread frequency in hertz.'],
];

/** cpufreq: per-CPU frequencies (kHz in sysfs) of CPUs that have a cpufreq directory. */
export class CpufreqCollector implements Collector {
  constructor(private readonly env: CollectorEnv) {}

  async update(out: Exposition): Promise<void> {
    const root = this.env.paths.sys('devices/system/cpu');
    for (const cpu of await cpuDirectories(root)) {
      const dir = join(root, cpu, 'cpufreq');
      if ((await listDir(dir)) === undefined) continue;
      for (const [file, name, help] of CPUFREQ_FILES) {
        const khz = await readSensorNumber(join(dir, file));
        if (khz !== undefined) out.family(name, 'gauge', help, ['cpu']).add(khz * 1000, cpu.slice(3));
      }
    }
  }
}

/** thermal_zone: zone temperatures and cooling device states of /sys/class/thermal. */
export class ThermalZoneCollector implements Collector {
  constructor(private readonly env: CollectorEnv) {}

  async update(out: Exposition): Promise<void> {
    const root = this.env.paths.sys('class/thermal');
    const entries = (await listDir(root)) ?? [];
    for (const zone of entries.filter((n) => n.startsWith('thermal_zone'))) {
      const dir = join(root, zone);
      const type = await readSensorAttribute(join(dir, 'type'));
      const temp = await readSensorNumber(join(dir, 'temp'));
      // procfs skips a zone whose temperature cannot be read (a sensor that is off).
      if (type === undefined || temp === undefined) continue;
      out.family('node_thermal_zone_temp', 'gauge', 'Zone temperature in Celsius', ['zone', 'type']).add(temp / 1000, zone.slice('thermal_zone'.length), type);
    }
    for (const device of entries.filter((n) => n.startsWith('cooling_device'))) {
      const dir = join(root, device);
      const type = (await readSensorAttribute(join(dir, 'type'))) ?? '';
      const name = device.slice('cooling_device'.length);
      const cur = await readSensorNumber(join(dir, 'cur_state'));
      const max = await readSensorNumber(join(dir, 'max_state'));
      out.family('node_cooling_device_cur_state', 'gauge', 'Current throttle state of the cooling device', ['name', 'type']).add(cur, name, type);
      out.family('node_cooling_device_max_state', 'gauge', 'Maximum throttle state of the cooling device', ['name', 'type']).add(max, name, type);
    }
  }
}

/** edac: correctable and uncorrectable memory errors per memory controller and csrow. */
export class EdacCollector implements Collector {
  constructor(private readonly env: CollectorEnv) {}

  async update(out: Exposition): Promise<void> {
    const root = this.env.paths.sys('devices/system/edac/mc');
    const controllers = ((await listDir(root)) ?? []).filter((n) => /^mc[0-9]+$/.test(n));
    const ce = () => out.family('node_edac_correctable_errors_total', 'counter', 'Total correctable memory errors.', ['controller']);
    const ue = () => out.family('node_edac_uncorrectable_errors_total', 'counter', 'Total uncorrectable memory errors.', ['controller']);
    const rowCe = () => out.family('node_edac_csrow_correctable_errors_total', 'counter', 'Total correctable memory errors for this csrow.', ['controller', 'csrow']);
    const rowUe = () => out.family('node_edac_csrow_uncorrectable_errors_total', 'counter', 'Total uncorrectable memory errors for this csrow.', ['controller', 'csrow']);
    for (const mc of controllers) {
      const dir = join(root, mc);
      const n = mc.slice(2);
      ce().add(await readCount(join(dir, 'ce_count'), `ce_count for controller ${n}`), n);
      rowCe().add(await readCount(join(dir, 'ce_noinfo_count'), `ce_noinfo_count for controller ${n}`), n, 'unknown');
      ue().add(await readCount(join(dir, 'ue_count'), `ue_count for controller ${n}`), n);
      rowUe().add(await readCount(join(dir, 'ue_noinfo_count'), `ue_noinfo_count for controller ${n}`), n, 'unknown');
      for (const row of ((await listDir(dir)) ?? []).filter((r) => /^csrow[0-9]+$/.test(r))) {
        const r = row.slice(5);
        rowCe().add(await readCount(join(dir, row, 'ce_count'), `ce_count for controller/csrow ${n}/${r}`), n, r);
        rowUe().add(await readCount(join(dir, row, 'ue_count'), `ue_count for controller/csrow ${n}/${r}`), n, r);
      }
    }
  }
}

async function readCount(path: string, what: string): Promise<number> {
  const text = (await readText(path).catch((err: Error) => Promise.reject(new Error(`couldn't get ${what}: ${err.message}`)))).trim();
  if (!/^\d+$/.test(text)) throw new Error(`couldn't get ${what}: invalid value ${JSON.stringify(text)}`);
  return Number(text);
}

/** power_supply attributes: file → metric name, with the scale node_exporter applies. */
const POWER_SUPPLY_NUMBERS: readonly (readonly [file: string, name: string, scale: number])[] = [
  ['authentic', 'authentic', 1], ['calibrate', 'calibrate', 1], ['capacity', 'capacity', 1], ['capacity_alert_max', 'capacity_alert_max', 1],
  ['capacity_alert_min', 'capacity_alert_min', 1], ['cycle_count', 'cyclecount', 1], ['online', 'online', 1], ['present', 'present', 1],
  ['time_to_empty_now', 'time_to_empty_seconds', 1], ['time_to_full_now', 'time_to_full_seconds', 1],
  ['current_boot', 'current_boot', 1e-6], ['current_max', 'current_max', 1e-6], ['current_now', 'current_ampere', 1e-6],
  ['energy_empty', 'energy_empty', 1e-6], ['energy_empty_design', 'energy_empty_design', 1e-6], ['energy_full', 'energy_full', 1e-6],
  ['energy_full_design', 'energy_full_design', 1e-6], ['energy_now', 'energy_watthour', 1e-6], ['voltage_boot', 'voltage_boot', 1e-6],
  ['voltage_max', 'voltage_max', 1e-6], ['voltage_max_design', 'voltage_max_design', 1e-6], ['voltage_min', 'voltage_min', 1e-6],
  ['voltage_min_design', 'voltage_min_design', 1e-6], ['voltage_now', 'voltage_volt', 1e-6], ['voltage_ocv', 'voltage_ocv', 1e-6],
  ['charge_control_limit', 'charge_control_limit', 1e-6], ['charge_control_limit_max', 'charge_control_limit_max', 1e-6],
  ['charge_counter', 'charge_counter', 1e-6], ['charge_empty', 'charge_empty', 1e-6], ['charge_empty_design', 'charge_empty_design', 1e-6],
  ['charge_full', 'charge_full', 1e-6], ['charge_full_design', 'charge_full_design', 1e-6], ['charge_now', 'charge_ampere', 1e-6],
  ['charge_term_current', 'charge_term_current', 1e-6], ['constant_charge_current', 'constant_charge_current', 1e-6],
  ['constant_charge_current_max', 'constant_charge_current_max', 1e-6], ['constant_charge_voltage', 'constant_charge_voltage', 1e-6],
  ['constant_charge_voltage_max', 'constant_charge_voltage_max', 1e-6], ['precharge_current', 'precharge_current', 1e-6],
  ['input_current_limit', 'input_current_limit', 1e-6], ['power_now', 'power_watt', 1e-6],
  ['temp', 'temp_celsius', 0.1], ['temp_alert_max', 'temp_alert_max_celsius', 0.1], ['temp_alert_min', 'temp_alert_min_celsius', 0.1],
  ['temp_ambient', 'temp_ambient_celsius', 0.1], ['temp_ambient_max', 'temp_ambient_max_celsius', 0.1],
  ['temp_ambient_min', 'temp_ambient_min_celsius', 0.1], ['temp_max', 'temp_max_celsius', 0.1], ['temp_min', 'temp_min_celsius', 0.1],
];
const POWER_SUPPLY_INFO = ['capacity_level', 'charge_type', 'health', 'manufacturer', 'model_name', 'serial_number', 'status', 'technology', 'type', 'usb_type', 'scope'];

/** powersupplyclass: /sys/class/power_supply/<supply> attributes; the info series carries only the non-empty texts. */
export class PowerSupplyCollector implements Collector {
  private readonly ignored: Re2Regexp;

  constructor(
    private readonly env: CollectorEnv,
    ignoredSupplies: string,
  ) {
    this.ignored = Re2Regexp.compile(ignoredSupplies);
  }

  async update(out: Exposition): Promise<void> {
    const root = this.env.paths.sys('class/power_supply');
    const supplies = await listDir(root);
    if (supplies === undefined) throw new NoDataError('no power_supply class');
    for (const supply of supplies) {
      if (this.ignored.test(supply)) continue;
      const dir = join(root, supply);
      for (const [file, name, scale] of POWER_SUPPLY_NUMBERS) {
        const v = await readSensorNumber(join(dir, file));
        if (v !== undefined) out.family(`node_power_supply_${name}`, 'gauge', `${name} value of /sys/class/power_supply/<power_supply>.`, ['power_supply']).add(v * scale, supply);
      }
      const pairs: [string, string][] = [['power_supply', supply]];
      for (const key of POWER_SUPPLY_INFO) {
        const text = await readSensorAttribute(join(dir, key));
        if (text) pairs.push([key, text]);
      }
      addLabelled(out.family('node_power_supply_info', 'gauge', 'info of /sys/class/power_supply/<power_supply>.'), 1, pairs);
    }
  }
}

const HWMON_SENSOR_TYPES = new Set(['vrm', 'beep_enable', 'update_interval', 'in', 'cpu', 'fan', 'pwm', 'temp', 'curr', 'power', 'energy', 'humidity', 'intrusion']);
const HWMON_FILENAME = /^([^0-9]+)([0-9]*)?(_(.+))?$/;
const HWMON_LABELS = ['chip', 'sensor'];

export interface HwmonSettings {
  readonly chip_include: string;
  readonly chip_exclude: string;
}

/** hwmon: every sensor file of /sys/class/hwmon/hwmonN (and its device/), named as node_exporter names them. */
export class HwmonCollector implements Collector {
  private readonly include: Re2Regexp | undefined;
  private readonly exclude: Re2Regexp | undefined;

  constructor(
    private readonly env: CollectorEnv,
    settings: HwmonSettings,
  ) {
    this.include = settings.chip_include ? Re2Regexp.compile(settings.chip_include) : undefined;
    this.exclude = settings.chip_exclude ? Re2Regexp.compile(settings.chip_exclude) : undefined;
  }

  async update(out: Exposition): Promise<void> {
    const root = this.env.paths.sys('class/hwmon');
    const entries = await listDir(root);
    if (entries === undefined) throw new NoDataError('hwmon collector metrics are not available for this system');
    let lastError: Error | undefined;
    for (const entry of entries) {
      const dir = join(root, entry);
      if (!(await isDirectory(dir))) continue;
      try {
        await this.updateChip(out, dir);
      } catch (err) {
        lastError = err as Error;
      }
    }
    if (lastError) throw lastError;
  }

  private async updateChip(out: Exposition, dir: string): Promise<void> {
    const chip = await hwmonName(dir);
    if (this.exclude?.test(chip) || (this.include && !this.include.test(chip))) return;
    const data = new Map<string, Map<string, string>>();
    await collectSensorData(dir, data);
    if (await isDirectory(join(dir, 'device'))) await collectSensorData(join(dir, 'device'), data);
    const name = cleanMetricName((await readSensorAttribute(join(dir, 'name'))) ?? '');
    if (name) out.family('node_hwmon_chip_names', 'gauge', 'Annotation metric for human-readable chip names', ['chip', 'chip_name']).add(1, chip, name);
    for (const [sensor, props] of data) addSensor(out, chip, sensor, props);
  }
}

function addSensor(out: Exposition, chip: string, sensor: string, props: Map<string, string>): void {
  const type = HWMON_FILENAME.exec(sensor)?.[1] ?? sensor;
  const gauge = (name: string, help: string, value: number) => out.family(name, 'gauge', help, HWMON_LABELS).add(value, chip, sensor);
  const label = props.get('label');
  if (label !== undefined) out.family('node_hwmon_sensor_label', 'gauge', 'Label for given chip and sensor', ['chip', 'sensor', 'label']).add(1, chip, sensor, label);
  if (type === 'beep_enable') return gauge('node_hwmon_beep_enabled', 'Hardware beep enabled', props.get('') === '1' ? 1 : 0);
  if (type === 'vrm' || type === 'update_interval') {
    const v = Number.parseFloat(props.get('') ?? '');
    if (Number.isNaN(v)) return;
    if (type === 'vrm') return gauge('node_hwmon_voltage_regulator_version', 'Hardware voltage regulator', v);
    return gauge('node_hwmon_update_interval_seconds', 'Hardware monitor update interval', v * 0.001);
  }
  const prefix = `node_hwmon_${type}`;
  for (const [element, raw] of props) {
    if (element === 'label') continue;
    let name = prefix;
    if (element === 'input') {
      if (props.has('')) name += '_input';
    } else if (element !== '') name += `_${cleanMetricName(element)}`;
    const v = Number.parseFloat(raw);
    if (Number.isNaN(v)) continue;
    addSensorElement(out, { chip, sensor, type, element, name, value: v });
  }
}

interface SensorElement {
  readonly chip: string;
  readonly sensor: string;
  readonly type: string;
  readonly element: string;
  readonly name: string;
  readonly value: number;
}

/** The metric of one sensor element, with node_exporter's unit suffix and scaling (hwmon_linux.go updateHwmon). */
function addSensorElement(out: Exposition, s: SensorElement): void {
  const { type, element, name, value } = s;
  const add = (n: string, help: string, v: number, kind: 'gauge' | 'counter' = 'gauge') => out.family(n, kind, help, HWMON_LABELS).add(v, s.chip, s.sensor);
  if (element === 'fault' || element === 'alarm') return add(name, `Hardware sensor ${element} status (${type})`, value);
  if (element === 'beep') return add(`${name}_enabled`, 'Hardware monitor sensor has beeping enabled', value);
  if (type === 'in' || type === 'cpu') return add(`${name}_volts`, `Hardware monitor for voltage (${element})`, value * 0.001);
  if (type === 'temp' && element !== 'type') return add(`${name}_celsius`, `Hardware monitor for temperature (${element || 'input'})`, value * 0.001);
  if (type === 'curr') return add(`${name}_amps`, `Hardware monitor for current (${element})`, value * 0.001);
  if (type === 'energy') return add(`${name}_joule_total`, `Hardware monitor for joules used so far (${element})`, value / 1e6, 'counter');
  if (type === 'power' && element === 'accuracy') return add(name, 'Hardware monitor power meter accuracy, as a ratio', value / 1e6);
  if (type === 'power' && ['average_interval', 'average_interval_min', 'average_interval_max'].includes(element)) {
    return add(`${name}_seconds`, `Hardware monitor power usage update interval (${element})`, value * 0.001);
  }
  if (type === 'power') return add(`${name}_watt`, `Hardware monitor for power usage in watts (${element})`, value / 1e6);
  if (type === 'humidity') return add(name, `Hardware monitor for humidity, as a ratio (multiply with 100.0 to get the humidity as a percentage) (${element})`, value / 1e6);
  if (type === 'fan' && ['input', 'min', 'max', 'target'].includes(element)) return add(`${name}_rpm`, `Hardware monitor for fan revolutions per minute (${element})`, value);
  add(name, `Hardware monitor ${type} element ${element}`, value);
}

async function collectSensorData(dir: string, data: Map<string, Map<string, string>>): Promise<void> {
  for (const file of (await listDir(dir)) ?? []) {
    const m = HWMON_FILENAME.exec(file);
    if (!m || !HWMON_SENSOR_TYPES.has(m[1]!)) continue;
    const sensor = `${m[1]}${m[2] ? Number(m[2]) : 0}`;
    // node_exporter reads at most 128 bytes of each attribute; unreadable ones are left out.
    const value = await readSensorAttribute(join(dir, file));
    if (value === undefined) continue;
    let props = data.get(sensor);
    if (!props) data.set(sensor, (props = new Map()));
    props.set(m[4] ?? '', value);
  }
}

/** The chip label: "<bus>_<device>" of the device link, else the `name` attribute, else the directory name. */
async function hwmonName(dir: string): Promise<string> {
  try {
    const device = realpathSync(join(dir, 'device'));
    const devName = cleanMetricName(basename(device));
    const devType = cleanMetricName(basename(dirname(device)));
    if (devType && devName) return `${devType}_${devName}`;
    if (devName) return devName;
  } catch {
    // no device link: fall through
  }
  const name = cleanMetricName((await readSensorAttribute(join(dir, 'name'))) ?? '');
  if (name) return name;
  const real = cleanMetricName(basename(realpathSync(dir)));
  if (real) return real;
  throw new Error(`Could not derive a monitoring name for ${dir}`);
}

function cleanMetricName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9:_]/g, '_').replace(/^_+|_+$/g, '');
}

