import { DurableObject } from 'cloudflare:workers';
import type { Resolution } from '../articles/registry';
import { readConfig } from '../config';
import type { LedgerDelta } from '../db/counts';
import { ipScope } from '../ingest/ip-scope';
import type { LedgerOutcome } from '../ledger/ledger-days';
import type { LedgerTally } from '../ledger/reasons';
import { meterStorage } from '../metering/metered-storage';
import { isolateUsage, type UsageReport } from '../metering/usage';
import { boxOutcome, boxTallies } from '../recirculation/box-tally';
import { bucketOf, dayOf } from '../time';
import { beaconMovesAlarm, nextAlarmAt } from './alarm-schedule';
import { type ArticleEvent, ArticleResolver } from './article-resolver';
import { ARTICLES_PER_BATCH, READ_COUNTER } from './batch';
import { type DedupKeys, DedupState, isDayClosed, type SeenAsSent } from './dedup';
import { bufferHeld, type HeldUrl, heldUrls, releaseHeld } from './held-events';
import { articleRouteKey, HotTracker } from './hot-articles';
import { Journal } from './journal';
import { bufferLedger, type FlushContext, flushOutbox, hasOutbox, hasPending, moveJournalOut } from './outbox';
import { shardIndex, shardName } from './routing';
import { readEpoch, readState, writeState } from './shard-state';
import { SiteCeiling } from './site-ceiling';
import { applyStorageSchema } from './storage-schema';

/** An event as a shard receives it: validated, normalised, its site's origin checked. */
export interface ShardEvent extends ArticleEvent {
  type: 'view' | 'share' | 'read';
  /** '' for a view or a read (the shard counts a read under READ_COUNTER), the network's name for a share. */
  network: string;
  /** The popular box link the page was opened from (its `sp_from` value, e.g. 'views-24h.3'), or null. */
  from: string | null;
  /** The lists of the popular boxes the page shows, [] when none: a view's only. */
  boxes: string[];
  /** The site's `max_events_per_second` setting. */
  siteMaxPerSecond: number;
  /** The site's `max_visitors_per_ip` setting. */
  siteMaxVisitorsPerIp: number;
  /**
   * What the shard of the URL as sent saw under it (see SeenAsSent), set by
   * that shard when it sends the event on to its article's (splitByHome):
   * taken only from a forwarded request, never from the Worker.
   */
  seenAsSent?: SeenAsSent;
}

export interface RecordRequest {
  /** Sent on by the shard of another spelling of its articles (see splitByHome): recorded here, never sent on. */
  forwarded?: boolean;
  receivedMs: number;
  // Used for the visitor and cap hashes only, in memory: never stored.
  ip: string;
  userAgent: string;
  events: ShardEvent[];
  /**
   * Events the Worker did not count before any shard (bots, opt-outs, the
   * flood guard, disabled networks), for the sites' ledgers: added to this
   * shard's pending ledger with the events, and flushed with them.
   */
  tallies?: LedgerTally[];
}

/** A shard's answer to beacons: how many events of each counted, and which of their articles are hot here (hot-articles.ts). */
export interface ShardAnswer {
  counted: number[];
  /** articleRouteKey of each hot article among the beacons'. */
  hot: string[];
}

interface KeyedEvent {
  event: ShardEvent;
  /** What the site's registry says of its URL. */
  resolution: Resolution;
  day: number;
  bucket: number;
  second: number;
  /** Its dedup keys; null when its day closed before it could be keyed. */
  keys: DedupKeys | null;
  /** For another spelling of its article, what its shard saw under the spelling; else undefined. */
  seenAsSent: SeenAsSent | undefined;
}

/** URLs with held events whose registries a flush asks about. */
const HELD_URLS_PER_ALARM = 500;

/** Ledger rows summed in memory over one RPC, so that a batch of beacons writes each row once. */
class LedgerSums {
  private readonly rows = new Map<string, LedgerDelta>();

  add(site: string, siteCreatedAt: string, day: number, outcome: LedgerOutcome, n = 1): void {
    const key = JSON.stringify([site, siteCreatedAt, day, outcome]);
    const row = this.rows.get(key);
    if (row) row.n += n;
    else this.rows.set(key, { site, siteCreatedAt, day, outcome, n });
  }

  values(): IterableIterator<LedgerDelta> {
    return this.rows.values();
  }

  get size(): number {
    return this.rows.size;
  }

  clear(): void {
    this.rows.clear();
  }
}

/**
 * One counter shard. It dedups events per visitor and day, buffers their
 * increments in its own SQLite storage (durable before the Worker answers 202:
 * a counted event's in its dedup row, ./journal.ts), and flushes them to D1
 * from an alarm, in batches that are safe to replay (the protocol is in
 * ./outbox).
 */
export class CounterShard extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly dedup: DedupState;
  private readonly journal: Journal;
  private readonly siteCeiling = new SiteCeiling();
  /** When the next alarm fires, as far as this instance knows; undefined until read. */
  private alarmAt: number | null | undefined;
  private failedFlushes: number;
  private readonly flush: FlushContext;
  private readonly articles: ArticleResolver;
  /**
   * Events not counted (repeats, the cap, the ceiling, refused URLs) since
   * the last alarm, per site, day and reason: in memory, written with the
   * next flush, so that a repeat view writes no row of its own. A shard that
   * stops before its alarm loses them, as an isolate loses its tallies.
   */
  private readonly uncounted = new LedgerSums();
  private readonly hotArticles: HotTracker;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = meterStorage(ctx.storage, isolateUsage.shardStorage);
    applyStorageSchema(ctx.storage);
    this.dedup = new DedupState(this.sql);
    this.journal = new Journal(this.sql, ARTICLES_PER_BATCH);
    this.articles = new ArticleResolver(env);
    this.hotArticles = new HotTracker(readConfig(env).hotEventsPerSecond);
    this.failedFlushes = readState(this.sql, 'failed_flushes') ?? 0;
    this.flush = {
      db: env.DB,
      source: { shard: ctx.id.toString(), epoch: readEpoch(this.sql) },
      journal: this.journal,
    };
  }

  /** What this isolate's metering counted since the last call (src/metering/usage.ts), then starts again: for the cost bench. */
  async usage(): Promise<UsageReport> {
    return isolateUsage.take();
  }

  /**
   * Dedups and buffers the events of one or more beacons, with each event's
   * outcome and the Worker's tallies in the sites' pending ledger, in one
   * transaction; answers how many events of each beacon were counted. Events
   * of a day whose dedup keys may be gone count none.
   */
  async record(beacons: RecordRequest[]): Promise<number[]> {
    return (await this.take(beacons)).counted;
  }

  /** record(), with the beacons' articles that are hot here: what the Worker's shard client calls. */
  async take(beacons: RecordRequest[]): Promise<ShardAnswer> {
    const nowMs = Date.now();
    const hot = new Set<string>();
    for (const { events } of beacons) {
      for (const { site, url } of events) {
        const key = articleRouteKey(site, url);
        if (this.hotArticles.note(key, nowMs)) hot.add(key);
      }
    }
    return { counted: await this.recordBeacons(beacons), hot: [...hot] };
  }

  private async recordBeacons(beacons: RecordRequest[]): Promise<number[]> {
    const resolutions = await this.articles.resolve(
      beacons.flatMap((b) =>
        // A read's view, counted or held, made its URL known: a read never brings the registry a new article.
        b.events.map((event) => ({ event, scope: ipScope(b.ip), lookupOnly: event.type === 'read' })),
      ),
      Date.now(),
    );
    let next = 0;
    const keyed: KeyedEvent[][] = [];
    const forwarded: number[] = [];
    for (const beacon of beacons) {
      const { receivedMs, ip, userAgent } = beacon;
      const day = dayOf(receivedMs);
      const bucket = bucketOf(receivedMs);
      const second = Math.floor(receivedMs / 1000);
      const isForwarded = beacon.forwarded === true;
      const all = beacon.events.map((event) => ({
        event,
        resolution: resolutions[next++]!,
        day,
        bucket,
        second,
        // Only a shard sets it, on what it sends on.
        seenAsSent: isForwarded ? event.seenAsSent : undefined,
      }));
      if (!isForwarded) await this.noteSeenAsSent(all, ip, userAgent);
      const { here, away } = this.splitByHome(all, isForwarded);
      // Sent on before anything is stored here; what its shard cannot take now is counted here
      // (under the article's URL), rather than the beacon failing.
      const sent = await Promise.all(
        [...away].map(async ([home, group]) => {
          try {
            const [n] = await this.env.SHARDS.getByName(home).record([
              { receivedMs, ip, userAgent, events: group.map((r) => r.event), forwarded: true },
            ]);
            return n ?? 0;
          } catch (err) {
            // Only a call that never reached the shard (overloaded) is sure to have stored nothing there.
            if (!(err instanceof Error && (err as Error & { overloaded?: boolean }).overloaded === true)) throw err;
            here.push(...group);
            return 0;
          }
        }),
      );
      forwarded.push(sent.reduce((sum, n) => sum + n, 0));
      const events = here.map((r) => r.event);
      // Not even keyed, which would make a salt for the closed day.
      keyed.push(
        isDayClosed(day, Date.now())
          ? here.map((r) => ({ ...r, keys: null }))
          : (await this.dedup.keyEvents(day, ip, userAgent, events)).map(({ key, capKey, viewKey, clickKey }, i) => ({
              ...here[i]!,
              keys: { key, capKey, viewKey, clickKey },
            })),
      );
    }

    const counted = this.withMemoryKept(() => {
      // Held events go to the stored ledger at once (their release moves them), and so do the
      // popular boxes' tallies; counted events are tallied from their increments when flushed.
      const ledger = new LedgerSums();
      // Checked again here, in one piece with the dedup: an alarm dropping the
      // day's keys may have run while the keys were hashed.
      const nowMs = Date.now();
      const answers = keyed.map((beaconKeys) => {
        let n = 0;
        for (const k of beaconKeys) {
          // Whether the visitor counted already on a closed day can no longer
          // be told: the event is not counted, and the ledger has it a repeat.
          const outcome = k.keys === null || isDayClosed(k.day, nowMs) ? 'repeat' : this.buffer(k, k.keys, ledger);
          if (outcome === 'view' || outcome === 'share' || outcome === 'read') n++;
          else if (outcome === 'unverified' && k.resolution.outcome === 'held') {
            ledger.add(k.event.site, k.event.siteCreatedAt, k.day, outcome);
          } else this.uncounted.add(k.event.site, k.event.siteCreatedAt, k.day, outcome);
        }
        return n;
      });
      for (const { site, siteCreatedAt, day, reason, n } of beacons.flatMap((b) => b.tallies ?? []))
        ledger.add(site, siteCreatedAt, day, reason, n);
      for (const row of ledger.values()) bufferLedger(this.sql, row);
      return answers;
    });
    await this.flushWithin(readConfig(this.env).flushMs);
    return counted.map((n, i) => n + forwarded[i]!);
  }

  /**
   * Runs `buffer`ing in one transaction; if it rolls back, the per-IP
   * counts and the journal's sums it made in memory are read again from
   * storage.
   */
  private withMemoryKept<T>(buffering: () => T): T {
    try {
      return this.ctx.storage.transactionSync(buffering);
    } catch (err) {
      this.dedup.forgetCaps();
      this.journal.forget();
      throw err;
    }
  }

  /**
   * Notes on each event of another spelling of its article (the registry's
   * canonical is not its URL) what this shard, which the Worker sent it to
   * by its URL, saw of its visitor under the spelling today: what it held
   * while the spelling's page was checked is keyed here, not in the
   * article's shard, and must count there as seen.
   */
  private async noteSeenAsSent(
    resolved: { event: ShardEvent; resolution: Resolution; day: number; seenAsSent: SeenAsSent | undefined }[],
    ip: string,
    userAgent: string,
  ): Promise<void> {
    const spellings = resolved.filter(
      ({ event, resolution }) => resolution.outcome === 'counted' && resolution.canonical !== event.url,
    );
    const day = spellings[0]?.day;
    // Not keyed on a closed day, which would make a salt for it: its events count nowhere.
    if (day === undefined || isDayClosed(day, Date.now())) return;
    const events = spellings.map((r) => r.event);
    (await this.dedup.keyEvents(day, ip, userAgent, events)).forEach((keys, i) => {
      spellings[i]!.seenAsSent = this.dedup.seenOf(day, keys);
    });
  }

  /**
   * Another spelling of an article counts in the article's own shard, under
   * its URL, so that a visitor and an IP are deduped and capped once per
   * article whatever spellings they use: its events are sent there (once:
   * a forwarded beacon is never sent on), the rest stay. Answers the events
   * to record here, with their keys made from the canonical URL, and the
   * others by the shard to send them to.
   */
  private splitByHome<R extends { event: ShardEvent; resolution: Resolution; seenAsSent: SeenAsSent | undefined }>(
    resolved: R[],
    forwarded: boolean,
  ): { here: R[]; away: Map<string, R[]> } {
    const { shardCount } = readConfig(this.env);
    const here: R[] = [];
    const away = new Map<string, R[]>();
    for (const r of resolved) {
      const { resolution, event } = r;
      if (resolution.outcome !== 'counted' || resolution.canonical === event.url) {
        here.push(r);
        continue;
      }
      const canonicalEvent = { ...event, url: resolution.canonical, seenAsSent: r.seenAsSent };
      const home = shardName(shardIndex(event.site, resolution.canonical, shardCount));
      const rekeyed = { ...r, event: canonicalEvent };
      if (forwarded || home === this.ctx.id.name) here.push(rekeyed);
      else away.set(home, [...(away.get(home) ?? []), rekeyed]);
    }
    return { here, away };
  }

  /**
   * Buffers one event of an article the registry counts: its increment (for
   * the canonical article) when its dedup key is new, fewer than the site's
   * `max_visitors_per_ip` visitors of its IP scope counted for its URL, type
   * and network today, and the site under its ceiling this second; held
   * instead while its page is checked. A read needs its visitor's view of
   * the article counted (or held) today, else it is `no_view`. What the
   * shard of another spelling saw under it (`seenAsSent`) counts as seen
   * here. An event that passes adds its popular boxes' tallies to `ledger`.
   * Answers its outcome for the ledger.
   *
   * An event refused by the cap or the ceiling is not marked seen: its
   * visitor may still count later today, and the per-IP count stays the
   * number of distinct visitors counted (their dedup rows' cap keys). Synchronous, inside the RPC's transaction,
   * so exact whatever the beacons of one RPC or concurrent RPCs.
   */
  private buffer(
    { event, resolution, day, bucket, second, seenAsSent }: KeyedEvent,
    { key, capKey, viewKey, clickKey }: DedupKeys,
    ledger: LedgerSums,
  ): LedgerOutcome {
    const { site, url } = event;
    if (resolution.outcome === 'refused') {
      // A read's URL the registry did not take had no view counted or held.
      return event.type === 'read' && resolution.reason !== 'rejected' ? 'no_view' : resolution.reason;
    }
    // So reads never outnumber views, per visitor, article and day.
    if (viewKey !== null && seenAsSent?.view !== true && !this.dedup.isSeen(day, viewKey)) return 'no_view';
    if (seenAsSent?.event === true || this.dedup.isSeen(day, key)) return 'repeat';
    // The cap first: the ceiling's admission takes one of its events this second.
    if (this.dedup.scopeVisitors(day, capKey) >= event.siteMaxVisitorsPerIp) return 'ip_cap';
    if (!this.siteCeiling.admit(site, second, event.siteMaxPerSecond)) return 'site_ceiling';
    const counter = event.type === 'read' ? READ_COUNTER : event.network;
    const held = resolution.outcome === 'held';
    const increment = held
      ? undefined
      : { site, siteCreatedAt: event.siteCreatedAt, url: resolution.canonical, bucket, network: counter };
    this.dedup.markCounted(day, key, capKey, increment && { increment, pos: this.journal.add(increment) });
    // A view's click counts once (its view does); a read's quality click needs that click.
    const click =
      clickKey !== null &&
      (event.type === 'view'
        ? this.dedup.markSeen(day, clickKey)
        : seenAsSent?.click === true || this.dedup.isSeen(day, clickKey));
    for (const tally of boxTallies(event, click)) ledger.add(site, event.siteCreatedAt, day, boxOutcome(tally));
    if (held) {
      bufferHeld(this.sql, event, url, bucket, counter);
      return 'unverified';
    }
    return event.type;
  }

  /** Writes the uncounted events summed in memory to the pending ledger, for the next flush. */
  private storeUncounted(): void {
    if (this.uncounted.size === 0) return;
    this.ctx.storage.transactionSync(() => {
      for (const row of this.uncounted.values()) bufferLedger(this.sql, row);
    });
    this.uncounted.clear();
  }

  /**
   * Asks the registries about URLs with held events: those whose check is
   * over are counted for their canonical article or dropped, and the ledger
   * moves them from `unverified` to what became of them.
   */
  private async releaseHeld(held: HeldUrl[]): Promise<void> {
    const answers = await this.articles.settle(held);
    this.ctx.storage.transactionSync(() => {
      const ledger = new LedgerSums();
      held.forEach((url, i) => {
        const answer = answers[i]!;
        if (answer.outcome === 'held') return;
        const decision = answer.outcome === 'counted' ? { canonical: answer.canonical } : { reason: answer.reason };
        for (const row of releaseHeld(this.sql, url, decision))
          ledger.add(row.site, row.siteCreatedAt, row.day, row.outcome, row.n);
      });
      for (const row of ledger.values()) bufferLedger(this.sql, row);
    });
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    this.storeUncounted();
    const held = heldUrls(this.sql, HELD_URLS_PER_ALARM);
    if (held.length > 0) {
      try {
        await this.releaseHeld(held);
      } catch (err) {
        // The flush goes on: held events wait for the registry's next answer.
        console.error('shard could not ask the article registry about held events; will retry', err);
      }
    }
    try {
      await flushOutbox(this.ctx.storage, this.flush);
      this.setFailedFlushes(0);
    } catch (err) {
      // Handled here rather than rethrown: the runtime gives up on an alarm after
      // a few retries, and the outbox must wait as long as D1 is down.
      this.setFailedFlushes(this.failedFlushes + 1);
      console.error(`shard flush failed (attempt ${this.failedFlushes}); will retry`, err);
    }
    // The journal's increments not yet in D1 leave the dedup rows about to go, by one reading of the clock.
    const expiryMs = Date.now();
    if (this.dedup.hasExpired(expiryMs)) moveJournalOut(this.ctx.storage, this.journal);
    this.dedup.dropExpired(expiryMs);
    // What came in while this alarm awaited D1 is stored too, so that the next alarm is due for it.
    this.storeUncounted();
    await this.scheduleNext(Date.now());
  }

  private setFailedFlushes(failedFlushes: number): void {
    if (failedFlushes !== this.failedFlushes) writeState(this.sql, 'failed_flushes', failedFlushes);
    this.failedFlushes = failedFlushes;
  }

  /** Makes sure an alarm fires within `ms` from now, or at the retry of a shard backing off. */
  private async flushWithin(ms: number): Promise<void> {
    const due = Date.now() + ms;
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
    if (beaconMovesAlarm(this.alarmAt, due, this.failedFlushes)) {
      await this.ctx.storage.setAlarm(due);
      this.alarmAt = due;
    }
  }

  private async scheduleNext(nowMs: number): Promise<void> {
    const backlog = {
      hasOutbox: hasOutbox(this.sql),
      hasPending: hasPending(this.sql, this.journal),
      hasSalts: this.dedup.hasSalts(),
    };
    const at = nextAlarmAt(nowMs, readConfig(this.env).flushMs, this.failedFlushes, backlog);
    if (at === null) {
      await this.ctx.storage.deleteAlarm();
    } else {
      await this.ctx.storage.setAlarm(at);
    }
    this.alarmAt = at;
  }
}
