export const LABEL_PREFIX = '__label__';
/** fastText's end-of-line token: a word of every line, and so an input feature of every example. */
export const END_OF_LINE = '</s>';

const FASTTEXT_WHITESPACE = /[ \t\n\v\f\r\0]+/;
/** A token starting with the label prefix: at the start of the text or after fastText whitespace. */
const LABEL_TOKEN = /(?<![^ \t\n\v\f\r\0])__label__[^ \t\n\v\f\r\0]*/g;
const NEEDS_REPLACING = /['".,()!?;:]|<br \/>/;
const QUOTE = /"/g;
const TO_SPACE = /<br \/>|[;:]/g;
const PADDED = /['.,()!?]/g;
const LINE_BREAK = '<br />';

function pushNormalized(text: string, tokens: string[]): void {
  let normalized = text.toLowerCase();
  if (NEEDS_REPLACING.test(normalized)) normalized = normalized.replace(QUOTE, '').replace(TO_SPACE, ' ').replace(PADDED, ' $& ');
  for (const token of normalized.split(FASTTEXT_WHITESPACE)) if (token.length > 0) tokens.push(token);
}

/**
 * The tokenizer of training and prediction alike; it reproduces `normalize_text` of fastText's
 * classification-example.sh, then splits on fastText's whitespace (space, \t, \n, \v, \f, \r, \0):
 * - text is lowercased (Unicode lowercase, as String.prototype.toLowerCase);
 * - `"` is removed; `<br />`, `;` and `:` become spaces;
 * - `'`, `.`, `,`, `(`, `)`, `!` and `?` become tokens of their own ("it's" -> `it ' s`, "end." -> `end .`);
 * - tokens that start with `__label__` are labels and are left exactly as written.
 * Text normalised this way already (as are the sets in shared/data/classify) comes out as fastText reads it.
 * A newline is whitespace here: one text is one example.
 */
export function tokenizeText(text: string): string[] {
  const tokens: string[] = [];
  if (!text.includes(LABEL_PREFIX) && !text.includes('"')) {
    scanTokens(text.toLowerCase(), tokens);
    return tokens;
  }
  let start = 0;
  if (text.includes(LABEL_PREFIX)) {
    for (const label of text.matchAll(LABEL_TOKEN)) {
      pushNormalized(text.slice(start, label.index), tokens);
      tokens.push(label[0]);
      start = label.index + label[0].length;
    }
  }
  pushNormalized(start === 0 ? text : text.slice(start), tokens);
  return tokens;
}

/**
 * pushNormalized in one pass over lowercase text without `"` or labels: the replacements only split words, so the
 * tokens are read off in place (TokenizedLines.#scan is the same walk, for training, with hashes).
 */
function scanTokens(lower: string, tokens: string[]): void {
  let count = scanTokenBounds(lower, scanBounds);
  if (count < 0) {
    scanBounds = new Int32Array(2 * lower.length + 2);
    count = scanTokenBounds(lower, scanBounds);
  }
  for (let t = 0; t < count; t++) tokens.push(lower.slice(scanBounds[2 * t], scanBounds[2 * t + 1]));
}

let scanBounds = new Int32Array(512);

/**
 * `lower` (text.toLowerCase(), of the same length) with the label tokens of `text` turned into spaces: what is left
 * tokenizes as tokenizeText(text) without its labels.
 */
export function blankLabelTokens(text: string, lower: string): string {
  let blanked = '';
  let start = 0;
  for (const label of text.matchAll(LABEL_TOKEN)) {
    blanked += lower.slice(start, label.index) + ' '.repeat(label[0].length);
    start = label.index + label[0].length;
  }
  return start === 0 ? lower : blanked + lower.slice(start);
}

/**
 * The tokens of scanTokens as bounds instead of strings: token t is lower[bounds[2t], bounds[2t + 1]). Returns the
 * token count, or -1 when `bounds` has no room for them all.
 */
export function scanTokenBounds(lower: string, bounds: Int32Array): number {
  const length = lower.length;
  let count = 0;
  let i = 0;
  while (i < length) {
    const c = lower.charCodeAt(i);
    const start = i;
    if (c < 128 && OWN_TOKEN[c] === 1) {
      i++;
    } else if (c < 128 && ENDS_WORD[c] === 1) {
      i++;
      continue;
    } else if (c === LESS_THAN && lower.startsWith(LINE_BREAK, i)) {
      i += LINE_BREAK.length;
      continue;
    } else {
      for (; i < length; i++) {
        const d = lower.charCodeAt(i);
        if ((d < 128 && ENDS_WORD[d] === 1) || (d === LESS_THAN && lower.startsWith(LINE_BREAK, i))) break;
      }
    }
    if (2 * count + 2 > bounds.length) return -1;
    bounds[2 * count] = start;
    bounds[2 * count + 1] = i;
    count++;
  }
  return count;
}

const FNV_OFFSET_BASIS = 2166136261;
const FNV_PRIME = 16777619;
const SPACE = new Uint8Array(128);
for (const c of ' \t\n\v\f\r\0') SPACE[c.charCodeAt(0)] = 1;
const OWN_TOKEN = new Uint8Array(128);
for (const c of "'.,()!?") OWN_TOKEN[c.charCodeAt(0)] = 1;
/** Characters that end a word: whitespace, the punctuation split off, and `;` `:` (which become spaces). */
const ENDS_WORD = new Uint8Array(128);
for (const c of " \t\n\v\f\r\0'.,()!?;:") ENDS_WORD[c.charCodeAt(0)] = 1;
const LESS_THAN = 0x3c;
const UNDERSCORE = 0x5f;
/** V8 keeps a short slice of a long string as a copy, a longer one as a view that would keep the whole line alive. */
const SLICE_VIEW_LENGTH = 13;

/**
 * Lines tokenized by tokenizeText, each ended by END_OF_LINE, as ids of distinct tokens with their counts.
 * Lines are scanned in place: a token is looked up by its characters in an open-addressing table, so only new tokens
 * become strings. Lines the scanner does not cover (with `"`, or whose lowercase changes length) go through tokenizeText.
 */
export class TokenizedLines {
  readonly tokens: string[] = [];
  readonly counts: number[] = [];
  ids = new Int32Array(1 << 16);
  idCount = 0;
  /** Line i is ids[lineOffsets[i]..lineOffsets[i+1]). */
  lineOffsets = new Int32Array(1 << 10);
  lineCount = 0;
  /** Open addressing, two entries a slot: id + 1 (0 when free) and the token's hash. */
  #slots = new Int32Array(2 << 12);
  #lengths = new Int32Array(1 << 10);

  addLine(line: string): void {
    const lower = line.toLowerCase();
    if (lower.length !== line.length || line.includes('"')) {
      for (const token of tokenizeText(line)) this.#addToken(token);
    } else {
      this.#scan(line, lower);
    }
    this.#addToken(END_OF_LINE);
    if (this.lineCount + 1 === this.lineOffsets.length) this.lineOffsets = grown(this.lineOffsets);
    this.lineOffsets[++this.lineCount] = this.idCount;
  }

  #scan(line: string, lower: string): void {
    const length = line.length;
    let i = 0;
    while (i < length) {
      const c = lower.charCodeAt(i);
      if (c < 128 && SPACE[c] === 1) {
        i++;
      } else if (c === UNDERSCORE && (i === 0 || isSpace(line.charCodeAt(i - 1))) && line.startsWith(LABEL_PREFIX, i)) {
        let hash = FNV_OFFSET_BASIS;
        const start = i;
        for (; i < length && !isSpace(line.charCodeAt(i)); i++) hash = Math.imul(hash ^ line.charCodeAt(i), FNV_PRIME);
        this.#add(line, start, i, hash);
      } else if (c < 128 && OWN_TOKEN[c] === 1) {
        this.#add(lower, i, i + 1, Math.imul(FNV_OFFSET_BASIS ^ c, FNV_PRIME));
        i++;
      } else if (c < 128 && ENDS_WORD[c] === 1) {
        i++;
      } else if (c === LESS_THAN && lower.startsWith(LINE_BREAK, i)) {
        i += LINE_BREAK.length;
      } else {
        let hash = FNV_OFFSET_BASIS;
        const start = i;
        for (; i < length; i++) {
          const d = lower.charCodeAt(i);
          if ((d < 128 && ENDS_WORD[d] === 1) || (d === LESS_THAN && lower.startsWith(LINE_BREAK, i))) break;
          hash = Math.imul(hash ^ d, FNV_PRIME);
        }
        this.#add(lower, start, i, hash);
      }
    }
  }

  #addToken(token: string): void {
    let hash = FNV_OFFSET_BASIS;
    for (let i = 0; i < token.length; i++) hash = Math.imul(hash ^ token.charCodeAt(i), FNV_PRIME);
    this.#add(token, 0, token.length, hash);
  }

  /** Counts source[start, end), whose hash is given, and appends its id. */
  #add(source: string, start: number, end: number, hash: number): void {
    const slots = this.#slots;
    const mask = (slots.length >> 1) - 1;
    const length = end - start;
    let slot = hash & mask;
    let id: number;
    for (;;) {
      id = slots[2 * slot]! - 1;
      if (id < 0) {
        id = this.#insert(source, start, end, hash, slot);
        break;
      }
      if (slots[2 * slot + 1] === hash && this.#lengths[id] === length) {
        const token = this.tokens[id]!;
        let k = 0;
        while (k < length && token.charCodeAt(k) === source.charCodeAt(start + k)) k++;
        if (k === length) {
          this.counts[id]!++;
          break;
        }
      }
      slot = (slot + 1) & mask;
    }
    if (this.idCount === this.ids.length) this.ids = grown(this.ids);
    this.ids[this.idCount++] = id;
  }

  #insert(source: string, start: number, end: number, hash: number, slot: number): number {
    let token = start === 0 && end === source.length ? source : source.slice(start, end);
    if (token.length >= SLICE_VIEW_LENGTH && token !== source) token = (token + ' ').slice(0, -1);
    const id = this.tokens.length;
    this.tokens.push(token);
    this.counts.push(1);
    if (id === this.#lengths.length) this.#lengths = grown(this.#lengths);
    this.#lengths[id] = token.length;
    this.#slots[2 * slot] = id + 1;
    this.#slots[2 * slot + 1] = hash;
    if (this.tokens.length * 3 > this.#slots.length) this.#rehash();
    return id;
  }

  #rehash(): void {
    const old = this.#slots;
    const slots = new Int32Array(old.length * 2);
    const mask = (slots.length >> 1) - 1;
    for (let s = 0; s < old.length; s += 2) {
      if (old[s] === 0) continue;
      let slot = old[s + 1]! & mask;
      while (slots[2 * slot] !== 0) slot = (slot + 1) & mask;
      slots[2 * slot] = old[s]!;
      slots[2 * slot + 1] = old[s + 1]!;
    }
    this.#slots = slots;
  }
}

function isSpace(c: number): boolean {
  return c < 128 && SPACE[c] === 1;
}

function grown(array: Int32Array): Int32Array<ArrayBuffer> {
  const larger = new Int32Array(array.length * 2);
  larger.set(array);
  return larger;
}
