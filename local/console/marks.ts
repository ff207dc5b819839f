/**
 * The console's own record of what it did to dead letters: which were discarded (a mark only; the record
 * stays on the dead-letters topic) and where each was re-driven to. With a data dir they are kept next to
 * the broker's records they name, in `<dataDir>/console-marks.json` (written whole through a temp file and a
 * rename), so a restarted console still refuses a second re-drive by accident; without one, in memory, like
 * the records. Re-drives are also recognizable on the topics themselves: the re-driven record carries a
 * `campusg-redrive-of` header (store.ts), which survives with the broker's data dir.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Mark {
  discardedAt?: string;
  redrive?: { topic: string; partition: number; offset: number; at?: string };
}

export class Marks {
  private readonly marks: Record<string, Mark>;

  constructor(private readonly file: string | undefined) {
    this.marks = {};
    if (file && fs.existsSync(file)) {
      try {
        Object.assign(this.marks, JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Mark>);
      } catch {
        // an unreadable file is started over; the topics still show every re-drive by its header
      }
    }
  }

  static forDataDir(dataDir: string | undefined): Marks {
    return new Marks(dataDir ? path.join(dataDir, 'console-marks.json') : undefined);
  }

  get(id: string): Mark | undefined {
    return this.marks[id];
  }

  discard(id: string): void {
    this.marks[id] = { ...this.marks[id], discardedAt: new Date().toISOString() };
    this.save();
  }

  redriven(id: string, to: { topic: string; partition: number; offset: number }): void {
    this.marks[id] = { ...this.marks[id], redrive: { ...to, at: new Date().toISOString() } };
    this.save();
  }

  private save(): void {
    if (!this.file) return;
    const tmp = `${this.file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, `${JSON.stringify(this.marks, null, 2)}\n`);
    fs.renameSync(tmp, this.file);
  }
}
