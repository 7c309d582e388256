// The sharepulse bundle, its counter shards each counting what reaches them:
// take RPCs (every record goes through take), and the beacons and events in
// them (apart: those another shard sent on); and its hot articles' relays
// each counting the requests they take (`relayed`). The count lives in module memory, which Miniflare's one isolate
// shares between the Worker and all its objects, keyed by each object's name;
// takeTally() answers every shard's since the last call. Bundled by
// tallied-shards.mjs, which resolves `sharepulse-bundle` to the built Worker.
import { HotRelay as MeasuredRelay, CounterShard as MeasuredShard } from 'sharepulse-bundle';

export * from 'sharepulse-bundle';
export { default } from 'sharepulse-bundle';

let tallies = new Map();

export class CounterShard extends MeasuredShard {
  async take(beacons) {
    const name = this.ctx.id.name ?? this.ctx.id.toString();
    const tally = tallies.get(name) ?? { rpcs: 0, beacons: 0, events: 0, forwardedEvents: 0, relayed: 0 };
    tally.rpcs++;
    for (const beacon of beacons) {
      if (beacon.forwarded === true) {
        tally.forwardedEvents += beacon.events.length;
      } else {
        tally.beacons++;
        tally.events += beacon.events.length;
      }
    }
    tallies.set(name, tally);
    return super.take(beacons);
  }

  /** Each shard's tally by name since the last call, then starts again. */
  async takeTally() {
    const answer = Object.fromEntries(tallies);
    tallies = new Map();
    return answer;
  }
}

export class HotRelay extends MeasuredRelay {
  async record(home, request, withinMs) {
    const name = this.ctx.id.name ?? this.ctx.id.toString();
    const tally = tallies.get(name) ?? { rpcs: 0, beacons: 0, events: 0, forwardedEvents: 0, relayed: 0 };
    tally.relayed++;
    tallies.set(name, tally);
    return super.record(home, request, withinMs);
  }
}
