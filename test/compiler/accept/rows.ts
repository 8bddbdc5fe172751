// Arrays of arrays: arrays(N, M, fill) makes N rows of M elements, each row its own
// storage; rows are indexed, passed, iterated and sliced like any array, and an
// element store evaluates the row, the index, then the value, as JS does.
import { u8, u16, u32, u64, bool, arrays, slice, print } from "kts";

type Step = (x: u32) => u32;
function inc(x: u32): u32 {
  return u32(x + 1);
}

let calls: u32 = 0;
function next(): u32 {
  calls = u32(calls + 1);
  print(`next ${calls}`);
  return calls;
}

const table: u16[][] = arrays(3, 4, 9);
const steps: Step[][] = arrays(2, 2, inc);
const flags: bool[][] = arrays(2, 3, false);

class Board {
  cells: u8[][] = arrays(2, 3, 1);
  moves: u32 = 0;
}
const board = new Board();

function total(g: u16[][]): u64 {
  let s: u64 = 0n;
  for (const row of g) for (const v of row) s = u64(s + u64(v));
  return s;
}

function rowSum(r: u8[]): u32 {
  let s: u32 = 0;
  for (let i: u32 = 0; i < r.length; i++) s = u32(s + u32(r[i]));
  return s;
}

function fill(g: u32[][], v: u32): void {
  for (let i: u32 = 0; i < g.length; i++) for (let j: u32 = 0; j < g[i].length; j++) g[i][j] = u32(v + i * 10 + j);
}

export function main(): u32 {
  table[2][3] = u16(table[2][3] + 1);
  table[0][0] = 0;
  print(`table ${table.length}x${table[0].length} total ${total(table)}`);
  print(`step ${steps[1][0](41)} flags ${flags[1][2]}`);
  flags[1][2] = true;
  print(`flags ${flags[1][2]} ${flags[0][2]}`);

  board.cells[1][2] = 7;
  board.moves = u32(board.moves + 1);
  print(`board ${rowSum(board.cells[0])} ${rowSum(board.cells[1])} moves ${board.moves}`);

  const grid: u32[][] = arrays(2, 5, next());
  fill(grid, 100);
  print(`grid ${grid[1][4]} ${grid[0][0]} calls ${calls}`);

  // The row, then the index, then the value.
  grid[u32(next() - 2)][next()] = next();
  print(`stored ${grid[0][3]}`);

  const row: u32[] = grid[1];
  row[0] = 5;
  const part: u32[] = slice(grid[1], 1, 3);
  print(`alias ${grid[1][0]} part ${part.length} ${part[0]}`);

  // A row index out of bounds panics before the value is computed.
  const k: u32 = 2;
  grid[k][0] = next();
  return 0;
}
