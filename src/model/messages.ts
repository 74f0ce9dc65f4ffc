/**
 * Wording shared by every message the user reads. Errors of the sandbox's own classes already name the field
 * and what to do; what the browser or the GPU throws is turned into plain words here, so no raw exception
 * text, stack or shader source reaches the page.
 */

/** Longest message text taken from an error (compiler diagnostics and the like go on for pages). */
export const MAX_MESSAGE_LENGTH = 200;

/** The browser's exception names (DOMException and WebGPU) and what they mean to a user. */
const PLAIN_WORDS: Readonly<Record<string, string>> = {
  QuotaExceededError: "the browser's storage for this page is full",
  SecurityError: 'the browser does not allow it here (private mode or site settings)',
  NotAllowedError: 'the browser did not allow it',
  NotFoundError: 'the browser could not find what was asked for',
  NotSupportedError: 'this browser does not support it',
  NotReadableError: 'the file could not be read',
  AbortError: 'it was cancelled',
  TimeoutError: 'it took too long',
  DataCloneError: 'the data could not be handed to the worker',
  InvalidStateError: 'the browser refused it in its current state',
  OperationError: 'the GPU stopped working (the device was lost or reset)',
  GPUOutOfMemoryError: 'the GPU ran out of memory',
  GPUValidationError: 'the GPU refused the work',
  GPUInternalError: 'the GPU failed internally',
  GPUPipelineError: 'the GPU could not compile a shader',
};

function isBrowserException(e: unknown): e is { name: string; message: string } {
  if (typeof DOMException !== 'undefined' && e instanceof DOMException) return true;
  // WebGPU's GPUError and GPUPipelineError carry a message but are not our classes.
  const name = typeof e === 'object' && e !== null ? (e as { constructor?: { name?: unknown } }).constructor?.name : undefined;
  return typeof name === 'string' && name.startsWith('GPU') && Object.hasOwn(PLAIN_WORDS, name);
}

/** The first line of `text`, at most MAX_MESSAGE_LENGTH characters (the rest of a diagnostic is for developers). */
export function firstLine(text: string): string {
  const line = text.split(/\r?\n/, 1)[0].trim();
  return line.length > MAX_MESSAGE_LENGTH ? `${line.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : line;
}

/**
 * Text of any thrown value, for messages to the user: an error of the sandbox's own classes gives its message
 * (its first line, clipped); a browser or GPU exception gives plain words for its kind ("the browser's storage
 * for this page is full"), never the browser's own text ("Failed to execute 'setItem' on 'Storage': …").
 */
export function messageOf(e: unknown): string {
  if (isBrowserException(e)) {
    const isDom = typeof DOMException !== 'undefined' && e instanceof DOMException;
    const name = isDom ? e.name : (e as object).constructor.name;
    // A refused GPU call after a device loss is an AbortError or OperationError naming a GPU object.
    if (isDom && /GPU|[Dd]evice|popErrorScope/.test(e.message)) return PLAIN_WORDS.OperationError;
    return Object.hasOwn(PLAIN_WORDS, name) ? PLAIN_WORDS[name] : `the browser stopped it (${name})`;
  }
  if (e instanceof Error) {
    // "Failed to execute 'mapAsync' on 'GPUBuffer': …" is how Chromium words a refused call: say what it was.
    if (/^Failed to execute '/.test(e.message)) return /GPU/.test(e.message) ? PLAIN_WORDS.OperationError : 'the browser refused an operation';
    // The engine's wording of a programming fault ("Cannot read properties of undefined") means nothing to a user.
    if (e.constructor === TypeError || e.constructor === ReferenceError) return `an internal error (${e.name}); reloading the page should help`;
    const text = firstLine(e.message);
    return text === '' ? `an unexpected ${e.name}` : text;
  }
  if (typeof e === 'string') return firstLine(e) || 'an unknown error';
  return 'an unknown error';
}
