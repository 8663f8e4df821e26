/**
 * Token counts as a model would pay them: OpenAI's o200k_base encoding (GPT-4o and later).
 * Other vendors' tokenizers differ by some per cent, but ratios between two texts hold.
 * Special-token look-alikes in ND data ("<|endoftext|>") are counted as plain text, never refused.
 */
import { countTokens as count } from "gpt-tokenizer/encoding/o200k_base";

export const ENCODING = "o200k_base (gpt-tokenizer 4.0.0)";

export function countTokens(text: string): number {
  return count(text, { disallowedSpecial: new Set() });
}

/** Tokens of a value as compact JSON — what a client puts into the model's context. */
export function jsonTokens(value: unknown): number {
  return countTokens(JSON.stringify(value));
}
