import { DurableObject } from 'cloudflare:workers';
import type { ArticleMetadata } from '../articles/metadata';
import { readConfig } from '../config';
import { bucketOf, dayOf } from '../time';
import { alarmIsLate, nextAlarmAt } from './alarm-schedule';
import { DedupState } from './dedup';
import { bufferIncrement, bufferMetadata, flushOutbox, hasOutbox, hasPending } from './outbox';
import { SiteCeiling } from './site-ceiling';
import { applyStorageSchema } from './storage-schema';

/** An event as a shard receives it: validated, normalised, its site's origin checked. */
export interface ShardEvent extends ArticleMetadata {
  site: string;
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
  private failedFlushes = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    applyStorageSchema(ctx.storage);
    this.dedup = new DedupState(this.sql);
  }

  /**
   * Dedups and buffers the events of one or more beacons in one transaction;
   * answers how many events of each beacon were counted.
   */
  async record(beacons: RecordRequest[]): Promise<number[]> {
    const keyed: KeyedEvent[][] = [];
    for (const { receivedMs, ip, userAgent, events } of beacons) {
      const day = dayOf(receivedMs);
      const bucket = bucketOf(receivedMs);
      const second = Math.floor(receivedMs / 1000);
      const beaconKeys = await this.dedup.keyEvents(day, ip, userAgent, events);
      keyed.push(beaconKeys.map(({ event, key }) => ({ event, day, bucket, second, key })));
    }

    const counted = this.ctx.storage.transactionSync(() =>
      keyed.map((beaconKeys) => beaconKeys.filter((k) => this.buffer(k)).length),
    );
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
    if (isNew) bufferIncrement(this.sql, site, url, bucket, network);
    bufferMetadata(this.sql, site, url, event, bucket);
    return isNew;
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    try {
      await flushOutbox(this.ctx.storage, this.env.DB, this.ctx.id.toString());
      this.failedFlushes = 0;
    } catch (err) {
      // Handled here rather than rethrown: the runtime gives up on an alarm after
      // a few retries, and the outbox must wait as long as D1 is down.
      this.failedFlushes++;
      console.error(`shard flush failed (attempt ${this.failedFlushes}); will retry`, err);
    }
    this.dedup.dropExpired(Date.now());
    await this.scheduleNext(Date.now());
  }

  /** Makes sure an alarm fires within `ms` from now. */
  private async flushWithin(ms: number): Promise<void> {
    const due = Date.now() + ms;
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
    if (alarmIsLate(this.alarmAt, due)) {
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
