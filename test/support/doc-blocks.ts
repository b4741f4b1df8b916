// The shell blocks of a Markdown document, in order, with the line each starts on.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ShellBlock {
  file: string;
  line: number;
  text: string;
}

export function shellBlocks(relativePath: string): ShellBlock[] {
  const source = readFileSync(join(__dirname, '..', '..', relativePath), 'utf8').split('\n');
  const blocks: ShellBlock[] = [];
  for (let i = 0; i < source.length; i++) {
    if (source[i].trim() !== '```bash') continue;
    const end = source.findIndex((l, j) => j > i && l.trim() === '```');
    blocks.push({ file: relativePath, line: i + 1, text: source.slice(i + 1, end).join('\n') });
    i = end;
  }
  return blocks;
}
