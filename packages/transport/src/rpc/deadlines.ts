/** setTimeout fires at once (with a warning) past 2^31-1 ms, so a far deadline (a peer's bogus Micro-Timeout) waits in steps. */
const MAX_TIMER = 2 ** 31 - 1;

/**
 * Something with a deadline, and its own node in the list of its timeout length: waiting for a
 * deadline allocates nothing per call (a `setTimeout` per call costs a Timeout object and a closure,
 * about 400 bytes, on both sides of every RPC).
 */
export abstract class Timed {
  /** Epoch ms when {@link expired} runs. */
  private at = 0;
  private prev: Timed | undefined;
  private next: Timed | undefined;
  private list: DeadlineList | undefined;

  /** Runs once when the deadline passed, unless {@link unschedule} came first. */
  protected abstract expired(): void;

  /** Waits in `on`'s list of timeout length `ms` for `deadline` (epoch ms), which is `ms` from now (ms > 0). */
  protected schedule(on: Deadlines, deadline: number, ms: number): void {
    this.at = deadline;
    on.listOf(ms).add(this);
  }

  /** Stops waiting; harmless when not waiting. */
  protected unschedule(): void {
    this.list?.remove(this);
  }

  /** @internal for {@link DeadlineList} only. */
  static link(list: DeadlineList, t: Timed): void {
    t.list = list;
    t.prev = list.tail;
    t.next = undefined;
    if (list.tail) list.tail.next = t;
    else list.head = t;
    list.tail = t;
  }

  /** @internal for {@link DeadlineList} only. */
  static unlink(list: DeadlineList, t: Timed): void {
    if (t.prev) t.prev.next = t.next;
    else list.head = t.next;
    if (t.next) t.next.prev = t.prev;
    else list.tail = t.prev;
    t.prev = undefined;
    t.next = undefined;
    t.list = undefined;
  }

  /** @internal for {@link DeadlineList} only. */
  static due(t: Timed, now: number): boolean {
    return t.at <= now;
  }

  /** @internal for {@link DeadlineList} only. */
  static msLeft(t: Timed, now: number): number {
    return Math.min(Math.max(0, t.at - now), MAX_TIMER);
  }

  /** @internal for {@link DeadlineList} only. */
  static expire(t: Timed): void {
    t.expired();
  }
}

/**
 * Everything waiting with the same timeout length, in the order it started, so deadlines only grow
 * from head to tail (as in Node's own timer lists). One timer per list, armed for the head; a head
 * that leaves early just lets the timer fire, find nothing due and re-arm for the new head.
 */
class DeadlineList {
  head: Timed | undefined;
  tail: Timed | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly owner: Deadlines,
    private readonly ms: number,
  ) {}

  add(t: Timed): void {
    Timed.link(this, t);
    if (!this.timer) this.arm();
    else if (t === this.head) this.timer.ref();
  }

  remove(t: Timed): void {
    Timed.unlink(this, t);
    // Empty: the timer stays armed but unref'd, so it keeps no process alive, and the next call of
    // the same length reuses it. A server answering each call before the next one arrives would
    // otherwise pay a setTimeout and a clearTimeout per call (measured: an eighth of its CPU).
    if (!this.head) this.timer?.unref();
  }

  private arm(): void {
    if (this.head) this.timer = setTimeout(this.fire, Timed.msLeft(this.head, Date.now()));
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    const now = Date.now();
    // Bounded by the length of the list; what expires leaves it before its callback runs.
    for (let t = this.head; t && Timed.due(t, now); t = this.head) {
      this.remove(t);
      Timed.expire(t);
    }
    if (this.timer) return;
    // The owner keeps no list for a length no longer used.
    if (!this.head) this.owner.drop(this.ms, this);
    else this.arm();
  };
}

/**
 * The deadline lists of one owner (a server, a client): one list, and one timer, per timeout
 * length in use. Each owner has its own, so nothing about one server's calls lives in the module.
 * @example const deadlines = new Deadlines(); callScope({ deadline, onDeadline, deadlines })
 */
export class Deadlines {
  private readonly lists = new Map<number, DeadlineList>();

  /** @internal for {@link Timed} only: the list of timeout length `ms`, made on first use. */
  listOf(ms: number): DeadlineList {
    let list = this.lists.get(ms);
    if (!list) {
      list = new DeadlineList(this, ms);
      this.lists.set(ms, list);
    }
    return list;
  }

  /** @internal for {@link DeadlineList} only: forgets an emptied list. */
  drop(ms: number, list: DeadlineList): void {
    if (this.lists.get(ms) === list) this.lists.delete(ms);
  }
}
