/**
 * A safe compiler for user-typed target expressions of one variable `x` (dimension 1, the default) or of
 * two variables `x` and `y` (dimension 2, the 2D explorer's targets).
 *
 * Hand-written tokenizer and Pratt parser to an AST, then two back ends: a JS closure (float64) and a
 * WGSL f32 expression. No `eval`, no `new Function`: user text never becomes code except through this AST.
 *
 * Grammar (highest precedence last):
 *   expr   := expr ('+' | '-') expr            left-associative
 *           | expr ('*' | '/') expr            left-associative
 *           | ('-' | '+') expr                 unary: -x^2 = -(x^2), 2*-x is allowed
 *           | expr ('^' | '**') expr           right-associative: 2^3^2 = 2^9
 *           | number | name | name '(' args ')' | '(' expr ')'
 * Numbers: `3`, `2.5`, `.5`, `1e-3`. No implicit multiplication (`2x` is an error: write `2*x`).
 *
 * Names (case-sensitive): variable `x` (and `y` in dimension 2 only: in dimension 1 it is an unknown name);
 * constants `pi`, `e`, `tau` (= 2π).
 * Functions: `sin cos tan asin acos atan atan2(y, x) sinh cosh tanh exp log (natural) log2 log10 sqrt
 * abs sign floor ceil round (half up) trunc min(a, b, …) max(a, b, …) pow(a, b) mod(a, b) (floored,
 * like a − b·floor(a/b)) clamp(v, lo, hi) relu (max(0, v)) step (1 for v ≥ 0, else 0) sigmoid`.
 *
 * Undefined points: an expression is *undefined* at x (or (x, y)) when any intermediate result is NaN, ±∞ or
 * outside the float32 range (|v| > 3.4028235e38), or an operation leaves its domain: division or
 * `mod` by zero, `log*` of v ≤ 0, `sqrt` of v < 0, `asin`/`acos` outside [−1, 1], `0 ^ negative`,
 * `negative ^ non-integer`. There `evaluate` returns NaN (never ±∞), and the WGSL side raises the
 * `rs_invalid` flag (see `wgslFunction`), so callers filter with `Number.isFinite`. The float32 range
 * rule is what lets the GPU (f32) and the CPU (f64) agree on where a target is defined.
 */

import { MAX_ABS_VALUE, RANGE_TEXT } from './limits.ts';

/** Longest accepted source, in characters. */
export const MAX_EXPRESSION_LENGTH = 500;
/** Deepest accepted AST (parentheses, calls and operator chains all count). */
export const MAX_EXPRESSION_DEPTH = 64;

const F32_MAX = 3.4028234663852886e38;
const F32_MIN_NORMAL = 1.1754943508222875e-38;

/** A syntax or name error, with the 0-based character index where it was found. */
export class ExpressionSyntaxError extends Error {
  override name = 'ExpressionSyntaxError';
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at ${position}`);
  }
}

export type ExprNode =
  | { kind: 'num'; value: number; pos: number }
  | { kind: 'x'; pos: number }
  | { kind: 'y'; pos: number }
  | { kind: 'neg'; arg: ExprNode; pos: number }
  | { kind: 'bin'; op: '+' | '-' | '*' | '/' | '^'; left: ExprNode; right: ExprNode; pos: number }
  | { kind: 'call'; fn: string; args: ExprNode[]; pos: number };

/** The result of `compileExpression`. */
export interface CompiledExpression {
  /** The source text as given. */
  source: string;
  /** float64 value at x, or NaN where the expression is undefined (see the module notes). */
  evaluate(x: number): number;
  /**
   * A WGSL f32 expression of a variable `x: f32`, using the helpers of `WGSL_EXPRESSION_PRELUDE`.
   * Where it is undefined it sets the private flag `rs_invalid` (reset it before evaluating, or use
   * `wgslFunction`, which does).
   */
  wgsl: string;
  /** The parsed tree. */
  ast: ExprNode;
  /**
   * A complete WGSL function `fn <name>(x: f32) -> vec2<f32>` returning (value, 1.0 if defined else 0.0);
   * needs `WGSL_EXPRESSION_PRELUDE` once in the same module.
   */
  wgslFunction(name?: string): string;
}

/** The result of `compileExpression(src, 2)`: an expression of `x` and `y`. */
export interface CompiledExpression2D {
  /** The source text as given. */
  source: string;
  /** float64 value at (x, y), or NaN where the expression is undefined (or either input is not finite). */
  evaluate(x: number, y: number): number;
  /**
   * A WGSL f32 expression of variables `x: f32` and `y: f32`, using the helpers of `WGSL_EXPRESSION_PRELUDE`;
   * sets `rs_invalid` where undefined, as in 1D.
   */
  wgsl: string;
  /** The parsed tree. */
  ast: ExprNode;
  /**
   * A complete WGSL function `fn <name>(x: f32, y: f32) -> vec2<f32>` returning (value, 1.0 if defined else
   * 0.0); needs `WGSL_EXPRESSION_PRELUDE` once in the same module.
   */
  wgslFunction(name?: string): string;
}

interface FnDef {
  /** Fixed arity, or minimum arity when `variadic`. */
  arity: number;
  variadic?: boolean;
  js: (...v: number[]) => number;
  /** WGSL call target (a builtin or a prelude helper). */
  wgsl: string;
  doc: string;
}

const NAN = Number.NaN;
const jsPow = (a: number, b: number): number => {
  if (b === 0) return 1;
  if (a === 0) return b > 0 ? 0 : NAN;
  if (a < 0 && !Number.isInteger(b)) return NAN;
  return Math.pow(a, b);
};

const FUNCTIONS: Record<string, FnDef> = {
  sin: { arity: 1, js: Math.sin, wgsl: 'rs_sin', doc: 'sine (radians)' },
  cos: { arity: 1, js: Math.cos, wgsl: 'rs_cos', doc: 'cosine (radians)' },
  tan: { arity: 1, js: Math.tan, wgsl: 'rs_tan', doc: 'tangent (radians)' },
  asin: { arity: 1, js: Math.asin, wgsl: 'rs_asin', doc: 'arcsine, defined on [−1, 1]' },
  acos: { arity: 1, js: Math.acos, wgsl: 'rs_acos', doc: 'arccosine, defined on [−1, 1]' },
  atan: { arity: 1, js: Math.atan, wgsl: 'atan', doc: 'arctangent' },
  atan2: { arity: 2, js: Math.atan2, wgsl: 'rs_atan2', doc: 'atan2(y, x), angle of the point (x, y)' },
  sinh: { arity: 1, js: Math.sinh, wgsl: 'rs_sinh', doc: 'hyperbolic sine' },
  cosh: { arity: 1, js: Math.cosh, wgsl: 'rs_cosh', doc: 'hyperbolic cosine' },
  tanh: { arity: 1, js: Math.tanh, wgsl: 'rs_tanh', doc: 'hyperbolic tangent' },
  exp: { arity: 1, js: Math.exp, wgsl: 'rs_exp', doc: 'e to the power v' },
  log: { arity: 1, js: (v) => (v > 0 ? Math.log(v) : NAN), wgsl: 'rs_log', doc: 'natural logarithm, v > 0' },
  log2: { arity: 1, js: (v) => (v > 0 ? Math.log2(v) : NAN), wgsl: 'rs_log2', doc: 'base-2 logarithm, v > 0' },
  log10: { arity: 1, js: (v) => (v > 0 ? Math.log10(v) : NAN), wgsl: 'rs_log10', doc: 'base-10 logarithm, v > 0' },
  sqrt: { arity: 1, js: (v) => (v >= 0 ? Math.sqrt(v) : NAN), wgsl: 'rs_sqrt', doc: 'square root, v ≥ 0' },
  abs: { arity: 1, js: Math.abs, wgsl: 'abs', doc: 'absolute value' },
  sign: { arity: 1, js: (v) => (v > 0 ? 1 : v < 0 ? -1 : 0), wgsl: 'rs_sign', doc: '−1, 0 or 1' },
  floor: { arity: 1, js: Math.floor, wgsl: 'floor', doc: 'round down' },
  ceil: { arity: 1, js: Math.ceil, wgsl: 'ceil', doc: 'round up' },
  round: { arity: 1, js: (v) => Math.floor(v + 0.5), wgsl: 'rs_round', doc: 'round to nearest, halves up' },
  trunc: { arity: 1, js: Math.trunc, wgsl: 'trunc', doc: 'round towards zero' },
  min: { arity: 2, variadic: true, js: Math.min, wgsl: 'min', doc: 'smallest argument (2 or more)' },
  max: { arity: 2, variadic: true, js: Math.max, wgsl: 'max', doc: 'largest argument (2 or more)' },
  pow: { arity: 2, js: jsPow, wgsl: 'rs_pow', doc: 'pow(a, b) = a ^ b' },
  mod: {
    arity: 2,
    js: (a, b) => (b === 0 ? NAN : a - b * Math.floor(a / b)),
    wgsl: 'rs_mod',
    doc: 'floored remainder a − b·floor(a/b), b ≠ 0',
  },
  clamp: { arity: 3, js: (v, lo, hi) => Math.min(Math.max(v, lo), hi), wgsl: 'rs_clamp', doc: 'clamp(v, lo, hi)' },
  relu: { arity: 1, js: (v) => (v > 0 ? v : 0), wgsl: 'rs_relu', doc: 'max(0, v)' },
  step: { arity: 1, js: (v) => (v >= 0 ? 1 : 0), wgsl: 'rs_step', doc: 'Heaviside step: 1 for v ≥ 0, else 0' },
  sigmoid: {
    arity: 1,
    js: (v) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v))),
    wgsl: 'rs_sigmoid',
    doc: 'logistic 1/(1 + e^−v)',
  },
};

const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E, tau: 2 * Math.PI };

/** The accepted function names with their arity and meaning, for help text and the README. */
export const EXPRESSION_FUNCTIONS: ReadonlyArray<{ name: string; arity: string; doc: string }> = Object.entries(
  FUNCTIONS,
).map(([name, d]) => ({ name, arity: d.variadic ? `${d.arity}+` : String(d.arity), doc: d.doc }));

type Token =
  | { t: 'num'; value: number; text: string; pos: number }
  | { t: 'name'; name: string; pos: number }
  | { t: 'op'; op: string; pos: number }
  | { t: 'end'; pos: number };

const NUMBER_RE = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const NAME_RE = /[A-Za-z_][A-Za-z0-9_]*/y;

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    NUMBER_RE.lastIndex = i;
    let m = NUMBER_RE.exec(src);
    if (m) {
      const value = Number(m[0]);
      // Written numbers keep to the sandbox's one range, like network values and data (see limits.ts).
      if (!Number.isFinite(value) || Math.abs(value) > MAX_ABS_VALUE) {
        throw new ExpressionSyntaxError(`number ${m[0]} is outside ${RANGE_TEXT}`, i);
      }
      out.push({ t: 'num', value, text: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    NAME_RE.lastIndex = i;
    m = NAME_RE.exec(src);
    if (m) {
      out.push({ t: 'name', name: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    if (ch === '*' && src[i + 1] === '*') {
      out.push({ t: 'op', op: '^', pos: i });
      i += 2;
      continue;
    }
    if ('+-*/^(),'.includes(ch)) {
      out.push({ t: 'op', op: ch, pos: i });
      i++;
      continue;
    }
    throw new ExpressionSyntaxError(`unexpected character '${ch}'`, i);
  }
  out.push({ t: 'end', pos: src.length });
  return out;
}

const INFIX: Record<string, [number, number]> = {
  '+': [10, 11],
  '-': [10, 11],
  '*': [20, 21],
  '/': [20, 21],
  '^': [31, 30],
};
const UNARY_BP = 25;

function describeToken(tok: Token): string {
  if (tok.t === 'end') return 'end of expression';
  if (tok.t === 'num') return `number ${tok.text}`;
  if (tok.t === 'name') return `'${tok.name}'`;
  return `'${tok.op}'`;
}

class Parser {
  private k = 0;
  /** `vars`: the variable names of this dimension ('x', or 'x' and 'y'). */
  constructor(
    private readonly toks: Token[],
    private readonly vars: ReadonlySet<string>,
  ) {}

  private peek(): Token {
    return this.toks[this.k];
  }
  private next(): Token {
    return this.toks[this.k++];
  }
  private isOp(tok: Token, op: string): boolean {
    return tok.t === 'op' && tok.op === op;
  }
  parseAll(): ExprNode {
    const node = this.parse(0, 1);
    const tok = this.peek();
    if (tok.t !== 'end') {
      if (this.isOp(tok, ')')) throw new ExpressionSyntaxError(`unmatched ')'`, tok.pos);
      throw new ExpressionSyntaxError(`expected an operator before ${describeToken(tok)}`, tok.pos);
    }
    return node;
  }

  private parse(minBp: number, depth: number): ExprNode {
    if (depth > MAX_EXPRESSION_DEPTH) {
      throw new ExpressionSyntaxError(`expression is nested too deeply (more than ${MAX_EXPRESSION_DEPTH} levels)`, this.peek().pos);
    }
    let left = this.prefix(depth);
    for (;;) {
      const tok = this.peek();
      if (tok.t !== 'op' || !(tok.op in INFIX)) break;
      const [lbp, rbp] = INFIX[tok.op];
      if (lbp < minBp) break;
      this.next();
      const right = this.parse(rbp, depth + 1);
      left = { kind: 'bin', op: tok.op as '+', left, right, pos: tok.pos };
      if (nodeDepth(left) > MAX_EXPRESSION_DEPTH) {
        throw new ExpressionSyntaxError(`expression is nested too deeply (more than ${MAX_EXPRESSION_DEPTH} levels)`, tok.pos);
      }
    }
    return left;
  }

  private prefix(depth: number): ExprNode {
    const tok = this.next();
    if (tok.t === 'num') return { kind: 'num', value: tok.value, pos: tok.pos };
    if (tok.t === 'end') throw new ExpressionSyntaxError('unexpected end of expression', tok.pos);
    if (tok.t === 'op') {
      if (tok.op === '-' || tok.op === '+') {
        const arg = this.parse(UNARY_BP, depth + 1);
        return tok.op === '-' ? { kind: 'neg', arg, pos: tok.pos } : arg;
      }
      if (tok.op === '(') {
        const inner = this.parse(0, depth + 1);
        const close = this.peek();
        if (!this.isOp(close, ')')) throw new ExpressionSyntaxError(`expected ')' but found ${describeToken(close)}`, close.pos);
        this.next();
        return inner;
      }
      throw new ExpressionSyntaxError(`unexpected ${describeToken(tok)}`, tok.pos);
    }
    const name = tok.name;
    const isCall = this.isOp(this.peek(), '(');
    if (this.vars.has(name) || Object.hasOwn(CONSTANTS, name)) {
      if (isCall) throw new ExpressionSyntaxError(`'${name}' is not a function`, tok.pos);
      if (name === 'x') return { kind: 'x', pos: tok.pos };
      if (name === 'y') return { kind: 'y', pos: tok.pos };
      return { kind: 'num', value: CONSTANTS[name], pos: tok.pos };
    }
    // Own properties only: 'constructor' or '__proto__' must not resolve through Object.prototype.
    const fn = Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
    if (!fn) {
      const lower = name.toLowerCase();
      const hint =
        lower !== name && (this.vars.has(lower) || Object.hasOwn(CONSTANTS, lower) || Object.hasOwn(FUNCTIONS, lower))
          ? ` (names are case-sensitive: did you mean '${lower}'?)`
          : '';
      throw new ExpressionSyntaxError(`unknown name '${name}'${hint}`, tok.pos);
    }
    if (!isCall) throw new ExpressionSyntaxError(`function '${name}' needs parentheses, as in ${name}(x)`, tok.pos);
    this.next();
    const args: ExprNode[] = [];
    if (!this.isOp(this.peek(), ')')) {
      for (;;) {
        args.push(this.parse(0, depth + 1));
        if (this.isOp(this.peek(), ',')) {
          this.next();
          continue;
        }
        break;
      }
    }
    const close = this.peek();
    if (!this.isOp(close, ')')) throw new ExpressionSyntaxError(`expected ')' but found ${describeToken(close)}`, close.pos);
    this.next();
    const ok = fn.variadic ? args.length >= fn.arity : args.length === fn.arity;
    if (!ok) {
      const want = fn.variadic ? `at least ${fn.arity} arguments` : `${fn.arity} argument${fn.arity === 1 ? '' : 's'}`;
      throw new ExpressionSyntaxError(`${name} takes ${want}, got ${args.length}`, tok.pos);
    }
    return { kind: 'call', fn: name, args, pos: tok.pos };
  }
}

function nodeDepth(n: ExprNode): number {
  switch (n.kind) {
    case 'num':
    case 'x':
    case 'y':
      return 1;
    case 'neg':
      return 1 + nodeDepth(n.arg);
    case 'bin':
      return 1 + Math.max(nodeDepth(n.left), nodeDepth(n.right));
    case 'call':
      return 1 + Math.max(0, ...n.args.map(nodeDepth));
  }
}

const VARS_1D: ReadonlySet<string> = new Set(['x']);
const VARS_2D: ReadonlySet<string> = new Set(['x', 'y']);

/**
 * Parses to an AST; throws ExpressionSyntaxError with the position of the first problem. `dim` 2 also
 * accepts the variable `y`.
 */
export function parseExpression(src: string, dim: 1 | 2 = 1): ExprNode {
  if (typeof src !== 'string') throw new ExpressionSyntaxError('the expression must be text', 0);
  if (src.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionSyntaxError(
      `expression is too long (${src.length} characters, at most ${MAX_EXPRESSION_LENGTH})`,
      MAX_EXPRESSION_LENGTH,
    );
  }
  const toks = tokenize(src);
  if (toks.length === 1) throw new ExpressionSyntaxError('empty expression', 0);
  return new Parser(toks, dim === 2 ? VARS_2D : VARS_1D).parseAll();
}

/** Keeps a float64 result only when it is finite and within the float32 range (see module notes). */
const chk = (v: number): number => (Math.abs(v) <= F32_MAX ? v : NAN);

/** One closure type for both dimensions: a 1D expression never reads `y` (its AST has no 'y' node). */
type JsFn = (x: number, y: number) => number;

function toJs(n: ExprNode): JsFn {
  switch (n.kind) {
    case 'num': {
      const v = n.value;
      return () => v;
    }
    case 'x':
      return (x) => x;
    case 'y':
      return (_x, y) => y;
    case 'neg': {
      const f = toJs(n.arg);
      return (x, y) => -f(x, y);
    }
    case 'bin': {
      const l = toJs(n.left);
      const r = toJs(n.right);
      switch (n.op) {
        case '+':
          return (x, y) => chk(l(x, y) + r(x, y));
        case '-':
          return (x, y) => chk(l(x, y) - r(x, y));
        case '*':
          return (x, y) => chk(l(x, y) * r(x, y));
        case '/':
          return (x, y) => {
            const a = l(x, y);
            const b = r(x, y);
            return b === 0 ? NAN : chk(a / b);
          };
        case '^':
          return (x, y) => chk(jsPow(l(x, y), r(x, y)));
      }
    }
    case 'call': {
      const def = FUNCTIONS[n.fn];
      const args = n.args.map(toJs);
      const js = def.js;
      // NaN arguments are propagated explicitly: step/sign/relu/comparisons would otherwise hide them.
      if (args.length === 1) {
        const a0 = args[0];
        return (x, y) => {
          const v = a0(x, y);
          return v !== v ? NAN : chk(js(v));
        };
      }
      return (x, y) => {
        const vs = new Array<number>(args.length);
        for (let i = 0; i < args.length; i++) {
          const v = args[i](x, y);
          if (v !== v) return NAN;
          vs[i] = v;
        }
        return chk(js(...vs));
      };
    }
  }
}

/** A float32 WGSL literal (concrete `f` suffix, so no abstract-int arithmetic sneaks in). */
export function wgslF32Literal(v: number): string {
  const f = Math.fround(v);
  if (f === 0 || Math.abs(f) < F32_MIN_NORMAL) return '0.0f';
  // Shortest decimal that rounds back to the same float32.
  let s = f.toPrecision(9);
  for (let p = 1; p < 9; p++) {
    const t = f.toPrecision(p);
    if (Math.fround(Number(t)) === f) {
      s = t;
      break;
    }
  }
  if (!s.includes('.') && !s.includes('e')) s += '.0';
  return `${s}f`;
}

function toWgsl(n: ExprNode): string {
  switch (n.kind) {
    case 'num':
      return n.value < 0 ? `(${wgslF32Literal(n.value)})` : wgslF32Literal(n.value);
    case 'x':
      return 'x';
    case 'y':
      return 'y';
    case 'neg':
      return `(-${toWgsl(n.arg)})`;
    case 'bin': {
      const l = toWgsl(n.left);
      const r = toWgsl(n.right);
      if (n.op === '/') return `rs_div(${l}, ${r})`;
      if (n.op === '^') return `rs_pow(${l}, ${r})`;
      return `rs_chk(${l} ${n.op} ${r})`;
    }
    case 'call': {
      const def = FUNCTIONS[n.fn];
      const args = n.args.map(toWgsl);
      if (def.variadic) {
        // min(a, b, c) → min(min(a, b), c)
        let acc = `${def.wgsl}(${args[0]}, ${args[1]})`;
        for (let i = 2; i < args.length; i++) acc = `${def.wgsl}(${acc}, ${args[i]})`;
        return acc;
      }
      return `${def.wgsl}(${args.join(', ')})`;
    }
  }
}

/**
 * WGSL helpers that every compiled expression needs, once per shader module. They give WGSL the
 * exact JS semantics of the operators (pow with negative bases, step at 0, round halves up) and turn
 * every domain error or overflow into the private flag `rs_invalid` (returning 0 so no NaN/∞ reaches
 * a builtin whose result WGSL leaves undefined). Checks are on the bits, so fast-math cannot drop them.
 */
export const WGSL_EXPRESSION_PRELUDE = /* wgsl */ `
var<private> rs_invalid: bool;

fn rs_bad() -> f32 { rs_invalid = true; return 0.0; }
fn rs_chk(v: f32) -> f32 {
  if ((bitcast<u32>(v) & 0x7f800000u) == 0x7f800000u) { return rs_bad(); }
  return v;
}
fn rs_div(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return rs_bad(); }
  return rs_chk(a / b);
}
fn rs_ipow(a: f32, n: i32) -> f32 {
  var base = a;
  var e = abs(n);
  var r = 1.0;
  loop {
    if (e == 0) { break; }
    if ((e & 1) == 1) { r = rs_chk(r * base); }
    e = e >> 1u;
    if (e != 0) { base = rs_chk(base * base); }
  }
  if (n < 0) { return rs_div(1.0, r); }
  return r;
}
fn rs_pow(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (a == 0.0) {
    if (b > 0.0) { return 0.0; }
    return rs_bad();
  }
  if (b == floor(b) && abs(b) <= 64.0) { return rs_ipow(a, i32(b)); }
  if (a > 0.0) { return rs_chk(pow(a, b)); }
  if (b != floor(b)) { return rs_bad(); }
  let m = rs_chk(pow(-a, b));
  let odd = (b - 2.0 * floor(0.5 * b)) == 1.0;
  return select(m, -m, odd);
}
// Own sin/cos/tan: WGSL promises builtin sin/cos only to 2^-11 absolute (SwiftShader: 1.9e-4), too coarse
// to agree with the float64 side. Cody–Waite reduction by π/2 in three parts, then Taylor polynomials on
// [−π/4, π/4] (truncation < 3e-8); accurate to a few float32 ulps for |v| up to ~1e5.
fn rs_reduce(v: f32) -> vec2<f32> {
  let k = round(v * 0.636619772);
  let r = ((v - k * 1.5703125) - k * 4.83751297e-4) - k * 7.54978995e-8;
  return vec2<f32>(r, k);
}
fn rs_sin_poly(r: f32) -> f32 {
  let r2 = r * r;
  return r * (1.0 + r2 * (-1.66666667e-1 + r2 * (8.33333333e-3 + r2 * (-1.98412698e-4 + r2 * 2.75573192e-6))));
}
fn rs_cos_poly(r: f32) -> f32 {
  let r2 = r * r;
  return 1.0 + r2 * (-0.5 + r2 * (4.16666667e-2 + r2 * (-1.38888889e-3 + r2 * (2.48015873e-5 + r2 * -2.75573192e-7))));
}
fn rs_sincos(v: f32) -> vec2<f32> {
  let rk = rs_reduce(v);
  let s = rs_sin_poly(rk.x);
  let c = rs_cos_poly(rk.x);
  let q = i32(rk.y - 4.0 * floor(rk.y * 0.25));
  switch q {
    case 1: { return vec2<f32>(c, -s); }
    case 2: { return vec2<f32>(-s, -c); }
    case 3: { return vec2<f32>(-c, s); }
    default: { return vec2<f32>(s, c); }
  }
}
fn rs_sin(v: f32) -> f32 { return rs_sincos(v).x; }
fn rs_cos(v: f32) -> f32 { return rs_sincos(v).y; }
fn rs_tan(v: f32) -> f32 {
  let sc = rs_sincos(v);
  return rs_div(sc.x, sc.y);
}
fn rs_asin(v: f32) -> f32 { if (abs(v) > 1.0) { return rs_bad(); } return asin(v); }
// acos through atan2: the builtin loses ~7e-5 near ±1 on SwiftShader.
fn rs_acos(v: f32) -> f32 { if (abs(v) > 1.0) { return rs_bad(); } return 2.0 * atan2(sqrt(1.0 - v), sqrt(1.0 + v)); }
fn rs_atan2(y: f32, x: f32) -> f32 { if (x == 0.0 && y == 0.0) { return 0.0; } return atan2(y, x); }
fn rs_exp(v: f32) -> f32 { if (v > 88.8) { return rs_bad(); } return rs_chk(exp(v)); }
fn rs_sinh(v: f32) -> f32 {
  if (abs(v) > 89.5) { return rs_bad(); }
  if (abs(v) < 0.5) {
    // Taylor series: exp(v) − exp(−v) cancels badly near 0.
    let v2 = v * v;
    return v * (1.0 + v2 / 6.0 * (1.0 + v2 / 20.0 * (1.0 + v2 / 42.0)));
  }
  let h = exp(abs(v) - 0.69314718);
  return rs_chk(sign(v) * (h - 0.25 / h));
}
fn rs_cosh(v: f32) -> f32 {
  if (abs(v) > 89.5) { return rs_bad(); }
  let h = exp(abs(v) - 0.69314718);
  return rs_chk(h + 0.25 / h);
}
fn rs_tanh(v: f32) -> f32 { return tanh(clamp(v, -15.0, 15.0)); }
fn rs_log(v: f32) -> f32 { if (!(v > 0.0)) { return rs_bad(); } return log(v); }
fn rs_log2(v: f32) -> f32 { if (!(v > 0.0)) { return rs_bad(); } return log2(v); }
fn rs_log10(v: f32) -> f32 { if (!(v > 0.0)) { return rs_bad(); } return log2(v) * 0.301029996; }
fn rs_sqrt(v: f32) -> f32 { if (v < 0.0) { return rs_bad(); } return sqrt(v); }
fn rs_sign(v: f32) -> f32 { return select(select(0.0, -1.0, v < 0.0), 1.0, v > 0.0); }
fn rs_round(v: f32) -> f32 { return floor(v + 0.5); }
fn rs_mod(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return rs_bad(); }
  return rs_chk(a - b * floor(a / b));
}
fn rs_clamp(v: f32, lo: f32, hi: f32) -> f32 { return min(max(v, lo), hi); }
fn rs_relu(v: f32) -> f32 { return max(v, 0.0); }
fn rs_step(v: f32) -> f32 { return select(0.0, 1.0, v >= 0.0); }
fn rs_sigmoid(v: f32) -> f32 {
  let e = exp(-abs(v));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), v >= 0.0);
}
`;

const WGSL_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Compiles a target expression: of `x` (dimension 1, the default) or of `x` and `y` (dimension 2). Throws
 * ExpressionSyntaxError (with `.position`) on any problem and never returns a partially working result.
 */
export function compileExpression(src: string, dim?: 1): CompiledExpression;
export function compileExpression(src: string, dim: 2): CompiledExpression2D;
export function compileExpression(src: string, dim: 1 | 2): CompiledExpression | CompiledExpression2D;
export function compileExpression(src: string, dim: 1 | 2 = 1): CompiledExpression | CompiledExpression2D {
  if (dim !== 1 && dim !== 2) throw new RangeError(`expression dimension must be 1 or 2, got ${String(dim)}`);
  const ast = parseExpression(src, dim);
  const fn = toJs(ast);
  const wgsl = toWgsl(ast);
  if (dim === 2) {
    const evaluate = (x: number, y: number): number => {
      if (!Number.isFinite(x) || !Number.isFinite(y)) return NAN;
      const v = fn(x, y);
      return Math.abs(v) <= F32_MAX ? v : NAN;
    };
    return {
      source: src,
      evaluate,
      wgsl,
      ast,
      wgslFunction(name = 'rs_target') {
        if (!WGSL_NAME_RE.test(name)) throw new Error(`invalid WGSL function name '${name}'`);
        return `fn ${name}(x: f32, y: f32) -> vec2<f32> {\n  rs_invalid = false;\n  let v = ${wgsl};\n  return vec2<f32>(v, select(1.0, 0.0, rs_invalid));\n}\n`;
      },
    };
  }
  const evaluate = (x: number): number => {
    if (!Number.isFinite(x)) return NAN;
    const v = fn(x, 0);
    return Math.abs(v) <= F32_MAX ? v : NAN;
  };
  return {
    source: src,
    evaluate,
    wgsl,
    ast,
    wgslFunction(name = 'rs_target') {
      if (!WGSL_NAME_RE.test(name)) throw new Error(`invalid WGSL function name '${name}'`);
      return `fn ${name}(x: f32) -> vec2<f32> {\n  rs_invalid = false;\n  let v = ${wgsl};\n  return vec2<f32>(v, select(1.0, 0.0, rs_invalid));\n}\n`;
    },
  };
}
