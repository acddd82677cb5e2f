import type { TourRow } from './tour.js';

const colours = { red: '\x1b[31m', green: '\x1b[32m', dim: '\x1b[2m', bold: '\x1b[1m', reset: '\x1b[0m' };

/** A table a person reads at a glance; coloured on a terminal. */
export function render(rows: readonly TourRow[], colour: boolean): string {
  const paint = (text: string, ...codes: Array<keyof typeof colours>) =>
    colour ? `${codes.map((code) => colours[code]).join('')}${text}${colours.reset}` : text;
  const header = ['', 'Scenario', 'What was sent', 'Outcome', 'Refused by', 'Code / result'];
  const cells = rows.map((row) => [
    row.kind === 'attack' ? 'attack' : 'genuine',
    row.scenario,
    row.sent,
    row.outcome.toUpperCase(),
    row.by,
    row.code,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((cell) => (cell[column] as string).length)));
  const line = (cell: string[]) =>
    cell
      .map((text, column) => text.padEnd(widths[column] as number))
      .join('  ')
      .trimEnd();
  const lines = [paint(line(header), 'bold')];
  rows.forEach((row, index) => {
    const text = line(cells[index] as string[]);
    const good = (row.kind === 'attack') === (row.outcome === 'refused');
    lines.push(good ? paint(text, row.outcome === 'refused' ? 'red' : 'green') : paint(`${text}  <- unexpected`, 'bold', 'red'));
  });
  const attacks = rows.filter((row) => row.kind === 'attack');
  const refused = attacks.filter((row) => row.outcome === 'refused').length;
  const served = rows.filter((row) => row.kind === 'genuine' && row.outcome === 'served').length;
  lines.push(
    '',
    paint(`${refused} of ${attacks.length} attacks refused; ${served} of ${rows.length - attacks.length} genuine calls served.`, 'bold'),
  );
  return `${lines.join('\n')}\n`;
}
