/**
 * JSON parsing that keeps numbers exact.
 *
 * `JSON.parse` turns every number literal into a double: 99999999999999999999999999 (10^26 − 1)
 * arrives as 1e26, which is on the other side of the 4E091 threshold. The contract promises that
 * operation counts and TPP figures given as JSON numbers are compared exactly, and its schemas
 * (`ExactNumber`) already compare decimal strings exactly. So `parseJsonExact` delivers every
 * number literal that a double does not reproduce as a decimal string of the literal's own text;
 * a field that must be a plain number then gets zod's "expected number" error at its path rather
 * than a silently different value.
 *
 * What "a double reproduces the literal" means here: the double's shortest decimal form
 * (`String(n)`, which is what the schemas turn a number into) has the same decimal value as the
 * literal. A double never holds 0.1 in binary, but String(0.1) is "0.1", so 0.1 is kept as a number;
 * 10000000000000001 becomes 1e16 and so is kept as its text. Deciding it:
 * - at most 15 significant digits and a magnitude in the normal range (1e-307 ≤ |x| < 1e308):
 *   always reproduced (DBL_DIG = 15: any such decimal → double → 15 digits gives it back, and the
 *   shortest form of that double, itself at most 15 digits, must then be the same decimal);
 * - more than 17 significant digits: never (a shortest form has at most 17);
 * - otherwise compare the literal's (significant digits, exponent) with those of String(Number(x)).
 *   This, rather than "more than 15 significant digits is unsafe", keeps every number that
 *   JSON.stringify wrote from a double (0.30000000000000004, 17 digits) a number, and catches
 *   1e400 (Infinity), 1e-400 (0) and subnormals such as 4.9e-324 (→ 5e-324).
 *
 * Cost: a document with no run of 16 digits (a decimal point may sit inside the run) and no
 * exponent cannot hold such a literal, so it goes straight to the parser after one regex test.
 * Only other documents are scanned (string literals skipped with their escapes, linear time), and
 * only their unsafe literals are rewritten as JSON strings before parsing.
 *
 * Keys `__proto__`, and `constructor` holding `prototype`, are refused as Fastify's default JSON
 * parser refuses them (secure-json-parse, with its defaults). A leading byte order mark is ignored,
 * as there. Every failure is a SyntaxError whose message says what is wrong; for malformed JSON it is
 * JSON.parse's own message, with positions in the text as given.
 */
import sjson from 'secure-json-parse';

/** A run of 16 or more digits, possibly with a decimal point inside, or an exponent part. */
const MAY_HOLD_INEXACT = /(?:\d\.?){16}|\d[eE][+-]?\d/;
/** A JSON number token (RFC 8259), matched where a token starts. */
const NUMBER_TOKEN = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

const SECURE = { protoAction: 'error', constructorAction: 'error' } as const;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const COLON = 0x3a;

export function parseJsonExact(text: string): unknown {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const source = MAY_HOLD_INEXACT.test(text) ? quoteInexactNumbers(text) : text;
  let value: unknown;
  try {
    value = sjson.parse(source, SECURE);
  } catch {
    // Malformed JSON: throw JSON.parse's message about the text as given (positions unshifted by
    // the quotes added). A rewritten text is malformed exactly when the original is.
    JSON.parse(text);
    // The text is well-formed, so secure-json-parse refused a prototype key.
    throw new SyntaxError('the JSON has a "__proto__" key, or a "constructor" key holding "prototype", which is not accepted');
  }
  const twice = duplicateKey(text);
  if (twice !== undefined) throw new SyntaxError(`the JSON has the key "${twice}" twice in one object: which value is meant is not clear (a parser keeps one of them; aidr refuses it)`);
  return value;
}

const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/**
 * The first key that one object of a well-formed JSON text holds twice, as a path ("transaction"
 * → "quantity": `transaction.quantity`; inside arrays `[]`), or undefined. JSON.parse keeps the last
 * value, another reader may keep the first: `"quantity": 1, "quantity": 5000` committed 5,000 units
 * (red team, 2026-12-06). Keys are compared decoded ("a" and "\u0061" are one key). Linear time.
 */
function duplicateKey(text: string): string | undefined {
  const seen: (Set<string> | null)[] = [];
  const names: string[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i + 1);
      const keys = seen[seen.length - 1];
      if (keys && nextNonSpace(text, end) === COLON) {
        const raw = text.slice(i + 1, end - 1);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end)) as string) : raw;
        if (keys.has(key)) return [...names.slice(0, -1), key].reduce((path, x) => (x === '[]' ? `${path}[]` : path ? `${path}.${x}` : x), '');
        keys.add(key);
        names[names.length - 1] = key;
      }
      i = end;
      continue;
    }
    if (c === OPEN_OBJECT) {
      seen.push(new Set());
      names.push('');
    } else if (c === OPEN_ARRAY) {
      seen.push(null);
      names.push('[]');
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      seen.pop();
      names.pop();
    }
    i++;
  }
  return undefined;
}

/** The text with every number literal that a double does not reproduce written as a JSON string of its text. */
function quoteInexactNumbers(text: string): string {
  const n = text.length;
  let out = '';
  let copied = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i + 1);
      continue;
    }
    if (c === MINUS || (c >= 0x30 && c <= 0x39)) {
      NUMBER_TOKEN.lastIndex = i;
      const m = NUMBER_TOKEN.exec(text);
      if (m === null) {
        i++;
        continue;
      }
      const end = i + m[0].length;
      // Never quote a number used as an object key: that would turn malformed JSON into valid JSON.
      if (!reproducedByDouble(m[0]) && nextNonSpace(text, end) !== COLON) {
        out += `${text.slice(copied, i)}"${m[0]}"`;
        copied = end;
      }
      i = end;
      continue;
    }
    i++;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * Just past the quote that closes the string literal whose content starts at `i` (a quote is
 * escaped when an odd number of backslashes precede it); the end of the text if none closes it.
 */
function stringEnd(text: string, i: number): number {
  for (;;) {
    const q = text.indexOf('"', i);
    if (q < 0) return text.length;
    let b = q;
    while (b > i && text.charCodeAt(b - 1) === BACKSLASH) b--;
    if ((q - b) % 2 === 0) return q + 1;
    i = q + 1;
  }
}

function nextNonSpace(text: string, i: number): number {
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return c;
  }
  return -1;
}

/** A decimal as significant digits (no leading or trailing zeros; '' for zero) and the power of ten of the first one. */
function decompose(literal: string): { digits: string; exp: number } {
  const s = literal.charCodeAt(0) === MINUS ? literal.slice(1) : literal;
  let e = s.indexOf('e');
  if (e < 0) e = s.indexOf('E');
  const mantissa = e < 0 ? s : s.slice(0, e);
  // parseInt reads "+26", "-7", "0005"; an absurd exponent becomes a huge double, which is fine here.
  const power = e < 0 ? 0 : parseInt(s.slice(e + 1), 10);
  const dot = mantissa.indexOf('.');
  const intPart = dot < 0 ? mantissa : mantissa.slice(0, dot);
  let digits = dot < 0 ? mantissa : intPart + mantissa.slice(dot + 1);
  let lead = 0;
  while (lead < digits.length && digits.charCodeAt(lead) === 0x30) lead++;
  let trail = digits.length;
  while (trail > lead && digits.charCodeAt(trail - 1) === 0x30) trail--;
  digits = digits.slice(lead, trail);
  return { digits, exp: intPart.length - lead - 1 + power };
}

/** Does the double nearest to this JSON number literal print back as the same decimal value? */
export function reproducedByDouble(literal: string): boolean {
  // One pass, no allocation for most literals: count the mantissa's digits and its significant
  // ones (first to last non-zero digit).
  const len = literal.length;
  let digits = 0;
  let first = -1;
  let last = -1;
  let i = 0;
  for (; i < len; i++) {
    const c = literal.charCodeAt(i);
    if (c >= 0x31 && c <= 0x39) {
      if (first < 0) first = digits;
      last = digits++;
    } else if (c === 0x30) digits++;
    else if (c === 0x65 || c === 0x45) break;
  }
  if (first < 0) return true; // zero (or -0, which the schemas read as 0)
  const significant = last - first + 1;
  // At most 15 significant digits, and the first one's power of ten within ±307 (bounded by |exponent| + digits).
  if (significant <= 15 && (i === len || Math.abs(Number(literal.slice(i + 1))) + digits <= 307)) return true;
  // A double's shortest form has at most 17 significant digits.
  if (significant > 17) return false;
  const lit = decompose(literal);
  const n = Number(literal);
  if (!Number.isFinite(n)) return false;
  const back = decompose(String(n));
  return back.digits === lit.digits && back.exp === lit.exp;
}

/**
 * The byte offset of the first byte that does not belong to a valid UTF-8 sequence (RFC 3629:
 * no overlong forms, no surrogates, nothing past U+10FFFF), or -1 when the bytes are valid UTF-8.
 * Used to say where a body or a file is broken, after a fast whole-buffer check failed.
 */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) [n, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [n, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [n, min] = [3, 0x10000];
    else return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const x = b[i + k];
      if (x === undefined || (x & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (x & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return -1;
}
