import { DurableObject } from 'cloudflare:workers';
import type { ArticleMetadata } from '../articles/metadata';
import { readConfig } from '../config';
import { bucketOf, dayOf } from '../time';
import { beaconMovesAlarm, nextAlarmAt } from './alarm-schedule';
import { DedupState, isDayClosed } from './dedup';
import { bufferIncrement, bufferMetadata, type FlushContext, flushOutbox, hasOutbox, hasPending } from './outbox';
import { readEpoch, readState, writeState } from './shard-state';
import { SiteCeiling } from './site-ceiling';
import { applyStorageSchema } from './storage-schema';

/** An event as a shard receives it: validated, normalised, its site's origin checked. */
export interface ShardEvent extends ArticleMetadata {
  site: string;
  /** The site's created_at: which site of this id the event was checked against. */
  siteCreatedAt: string;
  url: string;
  type: 'view' | 'share';
  network: string; // '' for a view
  /** The site's `max_events_per_second` setting. */
  siteMaxPerSecond: number;
}

export interface RecordRequest {
  receivedMs: number;
  // Used for the visitor hash only, in memory: never stored.
  ip: string;
  userAgent: string;
  events: ShardEvent[];
}

interface KeyedEvent {
  event: ShardEvent;
  day: number;
  bucket: number;
  second: number;
  key: string;
}

/**
 * One counter shard. It dedups events per visitor and day, buffers their
 * increments in its own SQLite storage (durable before the Worker answers 202),
 * and flushes them to D1 from an alarm, in batches that are safe to replay
 * (the protocol is in ./outbox).
 */
export class CounterShard extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly dedup: DedupState;
  private readonly siteCeiling = new SiteCeiling();
  /** When the next alarm fires, as far as this instance knows; undefined until read. */
  private alarmAt: number | null | undefined;
  private failedFlushes: number;
  private readonly flush: FlushContext;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    applyStorageSchema(ctx.storage);
    this.dedup = new DedupState(this.sql);
    this.failedFlushes = readState(this.sql, 'failed_flushes') ?? 0;
    this.flush = { db: env.DB, source: { shard: ctx.id.toString(), epoch: readEpoch(this.sql) } };
  }

  /**
   * Dedups and buffers the events of one or more beacons in one transaction;
   * answers how many events of each beacon were counted. Events of a day
   * whose dedup keys may be gone count none.
   */
  async record(beacons: RecordRequest[]): Promise<number[]> {
    const keyed: KeyedEvent[][] = [];
    for (const { receivedMs, ip, userAgent, events } of beacons) {
      const day = dayOf(receivedMs);
      // Not even keyed, which would make a salt for the closed day.
      const beaconKeys = isDayClosed(day, Date.now()) ? [] : await this.dedup.keyEvents(day, ip, userAgent, events);
      const bucket = bucketOf(receivedMs);
      const second = Math.floor(receivedMs / 1000);
      keyed.push(beaconKeys.map(({ event, key }) => ({ event, day, bucket, second, key })));
    }

    const counted = this.ctx.storage.transactionSync(() => {
      // Checked again here, in one piece with the dedup: an alarm dropping the
      // day's keys may have run while the keys were hashed.
      const nowMs = Date.now();
      return keyed.map((beaconKeys) => beaconKeys.filter((k) => !isDayClosed(k.day, nowMs) && this.buffer(k)).length);
    });
    await this.flushWithin(readConfig(this.env).flushMs);
    return counted;
  }

  /**
   * Buffers one event: its increment when its dedup key is new and the site is
   * under its ceiling this second, its metadata always. Answers whether it counted.
   */
  private buffer({ event, day, bucket, second, key }: KeyedEvent): boolean {
    const { site, url, network } = event;
    let isNew = this.dedup.markSeen(day, key);
    if (isNew && !this.siteCeiling.admit(site, second, event.siteMaxPerSecond)) {
      // Not counted, so not seen either: the visitor may still count later today.
      this.dedup.unmarkSeen(day, key);
      isNew = false;
    }
    if (isNew) bufferIncrement(this.sql, event, url, bucket, network);
    bufferMetadata(this.sql, event, url, event, bucket);
    return isNew;
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    try {
      await flushOutbox(this.ctx.storage, this.flush);
      this.setFailedFlushes(0);
    } catch (err) {
      // Handled here rather than rethrown: the runtime gives up on an alarm after
      // a few retries, and the outbox must wait as long as D1 is down.
      this.setFailedFlushes(this.failedFlushes + 1);
      console.error(`shard flush failed (attempt ${this.failedFlushes}); will retry`, err);
    }
    this.dedup.dropExpired(Date.now());
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
      hasPending: hasPending(this.sql),
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
