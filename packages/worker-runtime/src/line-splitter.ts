import { StringDecoder } from 'node:string_decoder';

/** Longest line passed on whole; longer ones, and runs of text without a newline, are passed on in pieces of this length. */
export const MAX_LINE_LENGTH = 64 * 1024;

/**
 * Cuts a byte stream into UTF-8 lines (`\n` or `\r\n`), whatever the chunk boundaries; memory stays bounded by
 * MAX_LINE_LENGTH even for a process that writes without newlines.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLineLength = MAX_LINE_LENGTH,
  ) {}

  write(chunk: Buffer): void {
    const text = this.pending + this.decoder.write(chunk);
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      this.emit(text.slice(start, end));
      start = end + 1;
    }
    let rest = text.slice(start);
    if (rest.length > this.maxLineLength) {
      // Keeps 1 to maxLineLength characters back, so that a newline coming next does not make an empty line.
      const whole = rest.length - (rest.length % this.maxLineLength || this.maxLineLength);
      this.emit(rest.slice(0, whole));
      rest = rest.slice(whole);
    }
    this.pending = rest;
  }

  /** Passes on the last line when the stream did not end with a newline. */
  end(): void {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    if (rest !== '') this.emit(rest);
  }

  private emit(line: string): void {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    for (let start = 0; start < text.length; start += this.maxLineLength) this.onLine(text.slice(start, start + this.maxLineLength));
    if (text === '') this.onLine(text);
  }
}
