import { describe, expect, test } from "bun:test";
import { lineAndColumn, locateJsonError } from "../../app/catalog/json-position.ts";

describe("locateJsonError", () => {
  test("valid JSON has no error", () => {
    for (const text of ['{"a": [1, 2.5e3, -0, true, false, null, "x\\u00e9\\n"]}', "[]", " 1 ", '"s"']) {
      expect(locateJsonError(text)).toBeNull();
    }
  });

  test("truncated object: end of input, expected , or }", () => {
    const text = '{\n  "a": {\n    "b": 1\n  }';
    expect(locateJsonError(text)).toEqual({
      line: 4,
      column: 4,
      offset: text.length,
      message: "unexpected end of input, expected ',' or '}'",
    });
  });

  test("trailing comma, missing colon, garbage after value, bad escape, control character", () => {
    expect(locateJsonError('{"a": [1,]}')?.message).toBe('unexpected character "]", expected a value');
    expect(locateJsonError('{"a" 1}')).toMatchObject({
      column: 6,
      message: "unexpected character \"1\", expected ':' after a property name",
    });
    expect(locateJsonError("[1] x")).toMatchObject({ column: 5 });
    expect(locateJsonError('["\\x"]')?.message).toBe("invalid escape in string");
    expect(locateJsonError('["a\tb"]')?.message).toBe("control character U+0009 in string");
    expect(locateJsonError("{'a': 1}")?.message).toContain("in double quotes");
  });

  test("deep nesting does not overflow the stack", () => {
    expect(locateJsonError("[".repeat(200_000))?.message).toBe("unexpected end of input, expected a value");
  });

  test("lineAndColumn is 1-based", () => {
    expect(lineAndColumn("ab\ncd", 0)).toEqual({ line: 1, column: 1 });
    expect(lineAndColumn("ab\ncd", 4)).toEqual({ line: 2, column: 2 });
  });
});
