/**
 * The global pool of capability nodes and the derivation tree that links them.
 *
 * Every capability held by any task is one CapNode. A node derived from another
 * is its child: children of a node form a doubly linked list (firstChild,
 * nextSibling, prevSibling), so unlinking is O(1) and a subtree can be walked
 * without recursion or a stack. Free nodes form a singly linked list; nodes at
 * or above `highWater` have never been used, so the pool needs no initialisation
 * pass. A node's generation changes when it is freed (see capNodeAlive).
 *
 * This file knows nothing of tasks' tables: it is the allocator and the tree.
 */
import { u32, u64, bool, structs } from "kts";
import { CapKind, CAP_NONE, CAP_POOL_SIZE } from "./types";

/** @align 128 — looked up on every system call that names a capability: a shift, not a multiply (76 bytes of fields; the pool's 4,096 nodes take 512 KiB instead of 320) */
export class CapNode {
  inUse: bool = false;
  gen: u32 = 0;
  kind: CapKind = CapKind.Any;
  rights: u32 = 0;
  objA: u64 = 0n;
  objB: u64 = 0n;
  limited: bool = false;
  uses: u32 = 0;
  expiry: u64 = 0n;
  /** Where it is held. */
  owner: u32 = CAP_NONE;
  slot: u32 = 0;
  /** Derivation tree links (node indices, CAP_NONE for none). */
  parent: u32 = CAP_NONE;
  firstChild: u32 = CAP_NONE;
  nextSibling: u32 = CAP_NONE;
  prevSibling: u32 = CAP_NONE;
  /** Next node of the free list. */
  nextFree: u32 = CAP_NONE;
}

export class CapPool {
  nodes: CapNode[] = structs(CAP_POOL_SIZE, CapNode);
  freeHead: u32 = CAP_NONE;
  highWater: u32 = 0;
  used: u32 = 0;

  /** Forgets every node. Generations are kept (alloc never resets them), so old views stay dead. */
  reset(): void {
    for (let i: u32 = 0; i < this.highWater; i++) {
      const n = this.nodes[i];
      if (n.inUse) n.gen = u32(n.gen + 1);
      n.inUse = false;
      n.nextFree = CAP_NONE;
    }
    this.freeHead = CAP_NONE;
    this.highWater = 0;
    this.used = 0;
  }

  hasFree(): bool {
    return this.used < CAP_POOL_SIZE;
  }

  /** A free node, cleared and marked in use (no links, no owner); CAP_NONE if none is free. */
  alloc(): u32 {
    let idx: u32 = CAP_NONE;
    if (this.freeHead != CAP_NONE) {
      idx = this.freeHead;
      this.freeHead = this.nodes[idx].nextFree;
    } else if (this.highWater < CAP_POOL_SIZE) {
      idx = this.highWater;
      this.highWater = u32(this.highWater + 1);
    } else {
      return CAP_NONE;
    }
    const n = this.nodes[idx];
    n.inUse = true;
    n.kind = CapKind.Any;
    n.rights = 0;
    n.objA = 0n;
    n.objB = 0n;
    n.limited = false;
    n.uses = 0;
    n.expiry = 0n;
    n.owner = CAP_NONE;
    n.slot = 0;
    n.parent = CAP_NONE;
    n.firstChild = CAP_NONE;
    n.nextSibling = CAP_NONE;
    n.prevSibling = CAP_NONE;
    n.nextFree = CAP_NONE;
    this.used = u32(this.used + 1);
    return idx;
  }

  /** Returns an unlinked node (no parent, no children) to the free list. */
  release(idx: u32): void {
    const n = this.nodes[idx];
    n.inUse = false;
    n.gen = u32(n.gen + 1);
    n.owner = CAP_NONE;
    n.nextFree = this.freeHead;
    this.freeHead = idx;
    this.used = u32(this.used - 1);
  }

  /** Makes `child` (unlinked) the first child of `parent`. */
  link(child: u32, parent: u32): void {
    const c = this.nodes[child];
    const p = this.nodes[parent];
    c.parent = parent;
    c.prevSibling = CAP_NONE;
    c.nextSibling = p.firstChild;
    if (p.firstChild != CAP_NONE) this.nodes[p.firstChild].prevSibling = child;
    p.firstChild = child;
  }

  /** Detaches `idx` from its parent's child list (its own children stay attached to it). */
  unlink(idx: u32): void {
    const n = this.nodes[idx];
    if (n.parent == CAP_NONE) return;
    if (n.prevSibling != CAP_NONE) this.nodes[n.prevSibling].nextSibling = n.nextSibling;
    else this.nodes[n.parent].firstChild = n.nextSibling;
    if (n.nextSibling != CAP_NONE) this.nodes[n.nextSibling].prevSibling = n.prevSibling;
    n.parent = CAP_NONE;
    n.nextSibling = CAP_NONE;
    n.prevSibling = CAP_NONE;
  }

  /**
   * Moves every child of `idx` to `idx`'s parent (or makes them roots when `idx` is
   * a root). `idx` is left with no children.
   */
  reparentChildren(idx: u32): void {
    const n = this.nodes[idx];
    const newParent: u32 = n.parent;
    while (n.firstChild != CAP_NONE) {
      const c: u32 = n.firstChild;
      this.unlink(c);
      if (newParent != CAP_NONE) this.link(c, newParent);
    }
  }

  /**
   * Gives a limited node's remaining uses back to its parent when the parent counts
   * uses too (they were split off the parent when the node was derived).
   */
  returnUses(idx: u32): void {
    const n = this.nodes[idx];
    if (!n.limited || n.parent == CAP_NONE) return;
    const p = this.nodes[n.parent];
    if (p.limited) p.uses = u32(p.uses + n.uses);
    n.uses = 0;
  }

  /** Whether `idx` is a node in use whose generation is `gen`. */
  alive(idx: u32, gen: u32): bool {
    if (idx >= this.highWater) return false;
    const n = this.nodes[idx];
    return n.inUse && n.gen == gen;
  }
}
