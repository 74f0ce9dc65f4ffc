/**
 * Command-line flags of `npm run bench` (scripts/bench.ts), parsed without Node APIs so they are unit-tested.
 */
import { type BenchConfig, defaultConfig, quickConfig, validateConfig } from './runner.ts';
import { METHODS, METHOD_IDS } from './methods.ts';
import { PEER_KINDS, type PeerKind } from './peers.ts';

export interface CliOptions {
  config: BenchConfig;
  out: string | null;
  help: boolean;
  /** 'auto': a hardware adapter if any, else SwiftShader; 'cpu': no GPU; 'swiftshader': force SwiftShader. */
  gpu: 'auto' | 'cpu' | 'swiftshader';
  quiet: boolean;
  /** TF.js backends to compare with (--peers), or null for none. */
  peers: PeerKind[] | null;
  /** True for a bare --peers: the host drops webgpu on a CPU-like adapter (SwiftShader), where TF.js takes minutes. */
  peersDefault: boolean;
  /** Where tfjs-backend-wasm's .wasm files are (--tfjs-wasm-dir); null: $TFJS_WASM_DIR or node_modules. */
  tfjsWasmDir: string | null;
  /** Training sizes of the peers (--peer-train-sizes); null: the run's sizes plus 4096; [] skips training. */
  peerTrainSizes: number[] | null;
  /** Each CPU series in a fresh worker thread (default); false (--no-isolate): all in the main thread. */
  isolate: boolean;
  /** Judge close 2D picks by alternating turns (default); false (--no-turns): by the sweep's medians alone. */
  turns: boolean;
}

export class CliError extends Error {
  override name = 'CliError';
}

export const HELP = `Usage: npm run bench -- [flags]

Benchmarks the evaluation of sums of ReLU units in Node (WebGPU through Dawn, the \`webgpu\` package, plus
the CPU evaluators): prints a table and, with --out, writes results.json and results.csv.

Flags
  --out DIR          write DIR/results.json and DIR/results.csv (DIR is created)
  --quick            a smoke sweep of a few seconds (N = 1, 64, 1024; small grids; 2 repeats)
  --sizes LIST       unit counts N: comma list and/or ranges of powers of two, e.g. 1,16,256 or 1..65536
  --dims LIST        1, 2 or 1,2 (default 1,2)
  --methods LIST     method ids (default ${'cpu-brute,cpu-sweep,gpu-brute,gpu-search,gpu-regions,gpu-tiles'}); all: ${METHOD_IDS.join(', ')}
  --repeats K        timed runs per point after warm-up (default 3); the median, min and max are reported
  --warmup K         untimed runs first (default 1)
  --grids1d LIST     1D grid sizes G (default 4096,262144)
  --grids2d LIST     2D grid sides R, for R×R grids (default 128,512)
  --budget MS        target time of one run (default 60); slower brute-force points are timed on part of
                     the grid and scaled, and say "cut"
  --no-accuracy      skip the accuracy-vs-N study (sin on [−π, π], uniform interpolation)
  --no-timestamps    time the GPU with onSubmittedWorkDone even where timestamp-query exists
  --cpu              CPU methods only (no WebGPU)
  --swiftshader      use SwiftShader (CPU Vulkan) even where a hardware adapter exists
  --seed K           seed of the random networks (default 1)
  --peers[=LIST]     also run TensorFlow.js 4.22 on the same networks, grids and adapter: evaluation at every
                     point of the run (against the sandbox's fastest value method there) and an Adam step (MSE,
                     4096 samples) at the run's sizes and N = 4096 (against the GPU trainer and its CPU twin);
                     prints times and ratios, and with --out writes DIR/peers.csv (the JSON gets "peers").
                     LIST: backends among ${PEER_KINDS.join(', ')} (default wasm, plus webgpu on a hardware GPU;
                     name webgpu to run it on SwiftShader too, where TF.js takes seconds per point)
  --tfjs-wasm-dir DIR  folder of tfjs-backend-wasm's .wasm files (default $TFJS_WASM_DIR, else found from
                     node_modules beside the working directory or the script)
  --peer-train-sizes LIST  training sizes N of --peers (default: --sizes plus 4096; 'none' skips training)
  --no-isolate       run the CPU series in the main thread after the others (default: each in a fresh worker
                     thread, since the 1D series leave this thread's 2D CPU code 1.2–1.4× slower)
  --no-turns         judge each 2D pick by the sweep's medians alone (default: where the pick is not the fastest
                     method but within 1.5× of it, both are timed again in alternating turns, which decide)
  --quiet            no progress lines
  --help             this text

Without a GPU the run uses SwiftShader (Debian's chromium package ships it) and says so; without any adapter it
runs the CPU methods only, with a line saying why.`;

function list(flag: string, v: string | undefined): string[] {
  if (v === undefined || v.startsWith('--')) throw new CliError(`${flag} needs a value`);
  const parts = v.split(',').map((s) => s.trim()).filter(Boolean);
  if (!parts.length) throw new CliError(`${flag} needs a value`);
  return parts;
}

function int(flag: string, s: string, lo: number, hi: number): number {
  if (!/^\d+$/.test(s)) throw new CliError(`${flag}: '${s}' is not a whole number`);
  const v = Number(s);
  if (v < lo || v > hi) throw new CliError(`${flag}: ${v} is outside ${lo} … ${hi}`);
  return v;
}

/** "1..65536" → powers of two from 1 to 65536 (inclusive); plain numbers as they are. */
export function parseSizes(flag: string, v: string | undefined, hi: number): number[] {
  const out: number[] = [];
  for (const part of list(flag, v)) {
    const m = /^(\d+)\.\.(\d+)$/.exec(part);
    if (m) {
      const a = int(flag, m[1], 1, hi);
      const b = int(flag, m[2], 1, hi);
      if (a > b) throw new CliError(`${flag}: range ${part} runs backwards`);
      let p = 1;
      while (p < a) p *= 2;
      for (; p <= b; p *= 2) out.push(p);
      if (out.length === 0) throw new CliError(`${flag}: range ${part} holds no power of two`);
    } else {
      out.push(int(flag, part, 1, hi));
    }
  }
  return [...new Set(out)].sort((p, q) => p - q);
}

/** Parses argv (without `node script`); throws CliError with a message naming the flag. */
export function parseArgs(argv: string[]): CliOptions {
  let config = defaultConfig();
  const opts: CliOptions = { config, out: null, help: false, gpu: 'auto', quiet: false, peers: null, peersDefault: false, tfjsWasmDir: null, peerTrainSizes: null, isolate: true, turns: true };
  if (argv.includes('--quick')) config = opts.config = quickConfig();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new CliError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--help':
      case '-h':
        opts.help = true;
        break;
      case '--quick':
        break;
      case '--out':
        opts.out = value();
        break;
      case '--sizes':
        config.sizes = parseSizes(flag, value(), 65536);
        break;
      case '--dims': {
        const dims = list(flag, value()).map((d) => int(flag, d, 1, 2) as 1 | 2);
        config.dims = [...new Set(dims)].sort();
        break;
      }
      case '--methods': {
        const ms = list(flag, value());
        for (const m of ms) if (!METHOD_IDS.includes(m)) throw new CliError(`--methods: unknown method '${m}' (known: ${METHOD_IDS.join(', ')})`);
        config.methods = [...new Set(ms)];
        break;
      }
      case '--repeats':
        config.repeats = int(flag, value(), 1, 1000);
        break;
      case '--warmup':
        config.warmup = int(flag, value(), 0, 100);
        break;
      case '--grids1d':
        config.grids1D = list(flag, value()).map((s) => int(flag, s, 2, 1 << 22));
        break;
      case '--grids2d':
        config.grids2D = list(flag, value()).map((s) => int(flag, s, 2, 2048));
        break;
      case '--budget':
        config.runBudgetMs = int(flag, value(), 1, 600_000);
        break;
      case '--seed':
        config.seed = int(flag, value(), 0, 2 ** 31);
        break;
      case '--no-accuracy':
        config.accuracy = null;
        break;
      case '--no-timestamps':
        config.noTimestamps = true;
        break;
      case '--cpu':
        opts.gpu = 'cpu';
        break;
      case '--swiftshader':
        opts.gpu = 'swiftshader';
        break;
      case '--quiet':
        opts.quiet = true;
        break;
      case '--no-isolate':
        opts.isolate = false;
        break;
      case '--no-turns':
        opts.turns = false;
        break;
      case '--peers': {
        // A bare --peers takes the defaults; a list only inline (--peers=wasm,webgpu), so `--peers --sizes …` stays unambiguous.
        if (inline === undefined) {
          opts.peers = opts.gpu === 'cpu' ? ['wasm'] : ['wasm', 'webgpu'];
          opts.peersDefault = true;
          break;
        }
        const kinds = list(flag, inline);
        for (const k of kinds) if (!(PEER_KINDS as readonly string[]).includes(k)) throw new CliError(`--peers: unknown backend '${k}' (known: ${PEER_KINDS.join(', ')})`);
        opts.peers = [...new Set(kinds)] as PeerKind[];
        opts.peersDefault = false;
        break;
      }
      case '--tfjs-wasm-dir':
        opts.tfjsWasmDir = value();
        break;
      case '--peer-train-sizes': {
        const v = value();
        opts.peerTrainSizes = v === 'none' ? [] : parseSizes(flag, v, 65536);
        break;
      }
      default:
        throw new CliError(`unknown flag '${a}' (see --help)`);
    }
  }
  if (opts.gpu === 'cpu') {
    const gpuOnly = config.methods.filter((m) => METHODS.filter((s) => s.id === m).every((s) => s.backend === 'gpu'));
    if (gpuOnly.length === config.methods.length) throw new CliError(`--cpu leaves no method to run (asked for ${config.methods.join(', ')})`);
  }
  if ((opts.tfjsWasmDir !== null || opts.peerTrainSizes !== null) && !opts.peers) throw new CliError('--tfjs-wasm-dir and --peer-train-sizes need --peers');
  if (opts.gpu === 'cpu' && opts.peers?.includes('webgpu')) throw new CliError('--peers=webgpu needs a GPU (drop --cpu)');
  try {
    validateConfig(config);
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
  return opts;
}
