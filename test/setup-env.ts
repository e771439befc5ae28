import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Mesa wants a private runtime folder; without one it prints warnings into every GPU test's stderr. */
export default function setup(): void {
  process.env.XDG_RUNTIME_DIR ??= mkdtempSync(join(tmpdir(), 'gpuseg-xdg-'));
}
