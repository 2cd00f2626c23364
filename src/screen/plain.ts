/**
 * AIDR_SCREEN_PLAIN=1 turns off screening's quick paths (the CSV tokenizer for plain rows, the
 * quick Transaction check), leaving csv-parse and the zod schema to do all of it. The output is
 * the same byte for byte (test/screen/fast-path.test.ts holds them to it); the switch is there to
 * show it, and to rule the quick paths out when something looks wrong.
 */
export const PLAIN = process.env.AIDR_SCREEN_PLAIN === '1';
