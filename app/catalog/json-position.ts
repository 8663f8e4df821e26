// Where is a JSON text broken? JSON.parse in Bun says "Expected '}'" without a position, and
// an operator who uploads a 2 MB document needs the line and column. This scanner is only run
// after JSON.parse has failed, so it favours clear messages over speed. It is iterative (an
// explicit stack) so that a hostile, deeply nested upload cannot overflow the call stack.

export interface JsonSyntaxError {
  /** 1-based line number. */
  line: number;
  /** 1-based column, in characters. */
  column: number;
  /** 0-based character offset into the text. */
  offset: number;
  message: string;
}

const enum State {
  Value,
  FirstArrayValue,
  FirstKey,
  Key,
  AfterValue,
}

const OBJECT = 0;
const ARRAY = 1;

/** Returns the first syntax error in `text`, or null when the text is valid JSON. */
export function locateJsonError(text: string): JsonSyntaxError | null {
  const stack: number[] = [];
  let i = 0;
  let state = State.Value;
  const fail = (at: number, message: string): JsonSyntaxError => ({ ...lineAndColumn(text, at), offset: at, message });

  for (;;) {
    i = skipWhitespace(text, i);
    const c = text[i];
    if (state === State.Value || state === State.FirstArrayValue) {
      if (c === undefined) return fail(i, "unexpected end of input, expected a value");
      if (state === State.FirstArrayValue && c === "]") {
        stack.pop();
        i++;
        state = State.AfterValue;
        continue;
      }
      if (c === "{") {
        stack.push(OBJECT);
        i++;
        state = State.FirstKey;
        continue;
      }
      if (c === "[") {
        stack.push(ARRAY);
        i++;
        state = State.FirstArrayValue;
        continue;
      }
      const end = scanScalar(text, i);
      if (typeof end === "string") return fail(i, end);
      i = end;
      state = State.AfterValue;
      continue;
    }
    if (state === State.FirstKey || state === State.Key) {
      const expected = state === State.FirstKey ? "a property name or '}'" : "a property name";
      if (c === undefined) return fail(i, `unexpected end of input, expected ${expected}`);
      if (state === State.FirstKey && c === "}") {
        stack.pop();
        i++;
        state = State.AfterValue;
        continue;
      }
      if (c !== '"') return fail(i, `unexpected ${describe(c)}, expected ${expected} in double quotes`);
      const end = scanString(text, i);
      if (typeof end === "string") return fail(i, end);
      i = skipWhitespace(text, end);
      if (text[i] !== ":")
        return fail(
          i,
          text[i] === undefined
            ? "unexpected end of input, expected ':'"
            : `unexpected ${describe(text[i]!)}, expected ':' after a property name`,
        );
      i++;
      state = State.Value;
      continue;
    }
    // State.AfterValue
    const top = stack[stack.length - 1];
    if (top === undefined) {
      if (c === undefined) return null;
      return fail(i, `unexpected ${describe(c)} after the end of the JSON value`);
    }
    const close = top === OBJECT ? "}" : "]";
    if (c === undefined) return fail(i, `unexpected end of input, expected ',' or '${close}'`);
    if (c === ",") {
      i++;
      state = top === OBJECT ? State.Key : State.Value;
    } else if (c === close) {
      stack.pop();
      i++;
    } else {
      return fail(i, `unexpected ${describe(c)}, expected ',' or '${close}'`);
    }
  }
}

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let at = text.indexOf("\n"); at !== -1 && at < offset; at = text.indexOf("\n", at + 1)) {
    line++;
    lineStart = at + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function skipWhitespace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
    else return i;
  }
}

function describe(c: string): string {
  return `character ${JSON.stringify(c)}`;
}

/** Scans a string, number or literal starting at i; returns the end offset or an error message. */
function scanScalar(text: string, i: number): number | string {
  const c = text[i]!;
  if (c === '"') return scanString(text, i);
  if (c === "-" || (c >= "0" && c <= "9")) return scanNumber(text, i);
  for (const literal of ["true", "false", "null"]) {
    if (text.startsWith(literal, i)) return i + literal.length;
  }
  return `unexpected ${describe(c)}, expected a value`;
}

function scanString(text: string, start: number): number | string {
  let i = start + 1;
  for (;;) {
    const c = text[i];
    if (c === undefined) return "unterminated string";
    if (c === '"') return i + 1;
    if (c < " ") return `control character U+${c.charCodeAt(0).toString(16).padStart(4, "0")} in string`;
    if (c === "\\") {
      const e = text[i + 1];
      if (e === "u") {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return "invalid \\u escape in string";
        i += 6;
        continue;
      }
      if (e === undefined || !'"\\/bfnrt'.includes(e)) return "invalid escape in string";
      i += 2;
      continue;
    }
    i++;
  }
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

function scanNumber(text: string, i: number): number | string {
  NUMBER.lastIndex = i;
  const m = NUMBER.exec(text);
  if (!m || m[0] === "-") return "invalid number";
  return i + m[0].length;
}
