//! Records → events, the way ausearch 3.0.9 groups them (`src/ausearch-lol.c`), so
//! `--format raw` prints the same events, in the same order, with the same lines.
//!
//! What ausearch does, and so what [`EndRules::Ausearch`] does:
//! - a record joins the *building* event with the same (node, sec, msec, serial);
//!   otherwise it starts a new one (an EOE that finds no building event is dropped);
//! - whether an event is over is decided by its *first* record's type: one-record types
//!   (type < 1300, ≥ 2100, 2000, 1406–1419) and PROCTITLE end it at once; anything else
//!   only ends by the timeout: when a new event starts whose second is at least
//!   `end_of_event_timeout` (auditd.conf, default 2) past the event's;
//! - events leave lowest stamp first (sec, msec, serial; ties by the slot ausearch's
//!   array would give them): the lowest in-flight event, complete or not, must be complete
//!   for anything to leave;
//! - at the end of input everything is complete.
//!
//! ausearch finds an event by scanning an array of every in-flight event on every record,
//! which is why it slows down as events per second rise; here a hash map finds it and
//! heaps give the lowest event and the timed-out ones, so the cost per record is
//! flat. [`EndRules::Auparse`] additionally ends an event at its EOE or PROCTITLE record
//! (auparse's rules, for live streams where waiting 2 s for the next event is latency).
//!
//! Memory: in-flight events are those of the last `end_of_event_timeout` seconds of
//! stream time. A pathological stream (stamps going backwards, one event with millions of
//! records) could hold more; past [`Reassembler::with_limit`] bytes the lowest events are
//! completed early, so memory stays bounded whatever the input (ausearch grows instead).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use super::record::{types, Record, Stamp, ENRICHMENT_SEPARATOR};

/// When an event is complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndRules {
    /// ausearch 3.0.9's: by the first record's type and the timeout only.
    Ausearch,
    /// auparse's: also at EOE and PROCTITLE, whichever record brings them.
    Auparse,
    /// The kernel's live stream: also at EOE, which the kernel sends after every syscall
    /// event (auditd does not log it, so a log has none), so that the EOE is part of its
    /// event instead of arriving after the PROCTITLE ended it.
    Eoe,
}

/// Identifies an event: node and stamp.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventKey {
    /// `node=` of its records, if any.
    pub node: Option<Box<[u8]>>,
    /// Time and serial.
    pub stamp: Stamp,
}

/// One record of an event: where its line sits in the event's buffer (nowhere when its
/// type is not [`Reassembler::storing`] lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: u32,
    end: u32,
    kind: u32,
    enriched: bool,
    stored: bool,
    /// Where the parse found the type name and the body, from `start`: the record is
    /// handed out again without being parsed again.
    type_name: (u32, u32),
    body: (u32, u32),
}

/// A complete event: its records' lines in arrival order, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    key: EventKey,
    first_kind: u32,
    enriched: bool,
    text: Vec<u8>,
    spans: Vec<Span>,
}

impl Event {
    /// Node and stamp.
    pub fn key(&self) -> &EventKey {
        &self.key
    }

    /// Time and serial.
    pub fn stamp(&self) -> Stamp {
        self.key.stamp
    }

    /// Whether any of its lines carries an ENRICHED part.
    pub fn enriched(&self) -> bool {
        self.enriched
    }

    /// The lines as logged, without newlines, in arrival order.
    pub fn lines(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.spans.iter().filter(|s| s.stored).map(|s| &self.text[s.start as usize..s.end as usize])
    }

    /// The records, as they parsed when read.
    pub fn records(&self) -> impl Iterator<Item = Record<'_>> + '_ {
        self.records_where(|_| true)
    }

    /// The records whose type `wanted` accepts.
    pub fn records_where<'e>(&'e self, wanted: impl Fn(u32) -> bool + 'e) -> impl Iterator<Item = Record<'e>> + 'e {
        self.spans.iter().filter(move |s| s.stored && wanted(s.kind)).map(|s| self.record(s))
    }

    fn record(&self, span: &Span) -> Record<'_> {
        let line = &self.text[span.start as usize..span.end as usize];
        let part = |(from, to): (u32, u32)| line.get(from as usize..to as usize).unwrap_or_default();
        Record {
            line,
            node: self.key.node.as_deref(),
            type_name: part(span.type_name),
            kind: span.kind,
            stamp: self.key.stamp,
            body: part(span.body),
            enrichment: span.enriched.then(|| line.get(span.body.1 as usize + 1..).unwrap_or_default()),
        }
    }

    /// The number of records, those whose lines were not stored included.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Never true for an emitted event; here for clippy's `len` rule.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The type of the first record, which decides for ausearch when the event ends.
    pub fn first_kind(&self) -> u32 {
        self.first_kind
    }

    /// Writes the lines as `ausearch --raw` prints them: each line and a newline; in an
    /// event that has ENRICHED lines, a RAW line gets the separator ausearch puts back.
    pub fn write_raw(&self, out: &mut Vec<u8>) {
        for span in self.spans.iter().filter(|s| s.stored) {
            out.extend_from_slice(&self.text[span.start as usize..span.end as usize]);
            if self.enriched && !span.enriched {
                out.push(ENRICHMENT_SEPARATOR);
            }
            out.push(b'\n');
        }
    }

    fn bytes(&self) -> usize {
        self.text.capacity() + self.spans.capacity() * std::mem::size_of::<Span>() + 96
    }
}

/// The Fx hash (rustc's): event keys come from the log, not from an adversary who could
/// gain by colliding them (a colliding log only slows its own reading), and SipHash was
/// a tenth of the time spent per record.
#[derive(Default)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u16(&mut self, n: u16) {
        self.write_u64(u64::from(n));
    }
    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Whether an event whose first record has this type is over as soon as it starts
/// (ausearch-lol.c `check_events`).
pub fn ends_at_once(kind: u32) -> bool {
    kind == types::PROCTITLE || !(1300..2100).contains(&kind) || kind == types::KERNEL || (1406..=1419).contains(&kind)
}

struct Slot {
    event: Event,
    complete: bool,
    /// Which of the events that used this slot it is, so that a timeout entry left by an
    /// earlier one is not taken for it.
    generation: u64,
}

/// Orders in-flight events as ausearch's `get_ready_event` picks them.
type OrderKey = (u64, u16, u64, u32);

/// Groups records into events. Push records in file order; complete events come out
/// through the callback in ausearch's order.
pub struct Reassembler {
    rules: EndRules,
    timeout: u64,
    limit: usize,
    held: usize,
    slots: Vec<Option<Slot>>,
    /// Free slots, lowest first (ausearch reuses the lowest free entry of its array).
    free: BinaryHeap<Reverse<u32>>,
    building: HashMap<EventKey, u32, BuildHasherDefault<FxHasher>>,
    /// Building events by second, for the timeout.
    /// Building events by second, for the timeout; an entry whose event completed is
    /// left in place and skipped when it comes to the top ([`Reassembler::timed_out`]).
    by_time: BinaryHeap<Reverse<(u64, u32, u64)>>,
    /// Events started so far: the next one's generation.
    started: u64,
    /// Every in-flight event, lowest first.
    order: BinaryHeap<Reverse<OrderKey>>,
    /// Emitted events whose buffers are reused.
    spare: Vec<Event>,
    /// Which record types keep their lines; the others only group.
    stored: fn(u32) -> bool,
    /// The slot of the last record's event: the next record nearly always joins it, found
    /// without building and hashing its key.
    last: Option<u32>,
}

/// How many emitted events keep their buffers for reuse, and up to what size.
const SPARE_EVENTS: usize = 64;
const SPARE_BYTES: usize = 64 << 10;

/// The default bound on bytes held in flight: far above what 2 s of a busy host's log
/// holds (5,000 events/s × 2 s × ~1 KiB ≈ 10 MiB), under the 32 MiB RSS target.
pub const DEFAULT_LIMIT: usize = 24 << 20;

impl Reassembler {
    /// A reassembler with `end_of_event_timeout` seconds of stream time.
    pub fn new(rules: EndRules, timeout: u64) -> Reassembler {
        Reassembler::with_limit(rules, timeout, DEFAULT_LIMIT)
    }

    /// Same, holding at most about `limit` bytes of in-flight events.
    pub fn with_limit(rules: EndRules, timeout: u64, limit: usize) -> Reassembler {
        Reassembler {
            rules,
            timeout,
            limit,
            held: 0,
            slots: Vec::new(),
            free: BinaryHeap::new(),
            building: HashMap::default(),
            by_time: BinaryHeap::new(),
            started: 0,
            order: BinaryHeap::new(),
            spare: Vec::new(),
            stored: |_| true,
            last: None,
        }
    }

    /// Keeps only the lines of records whose type `stored` accepts. The others still start,
    /// join and end events and count in [`Event::len`], but no reader of the event sees
    /// them: for a consumer that reads a few types (aureport's executable report reads no
    /// PATH, CWD, PROCTITLE or EOE), most of the log is then never copied.
    pub fn storing(mut self, stored: fn(u32) -> bool) -> Reassembler {
        self.stored = stored;
        self
    }

    /// The slot of the event still building that `record` belongs to, or else the key of
    /// the event it would start.
    fn building_slot(&self, record: &Record<'_>) -> Result<u32, EventKey> {
        let same = |slot: u32| {
            self.slots[slot as usize].as_ref().is_some_and(|s| {
                !s.complete && s.event.key.stamp == record.stamp && s.event.key.node.as_deref() == record.node
            })
        };
        match self.last {
            Some(slot) if same(slot) => Ok(slot),
            _ => {
                let key = EventKey { node: record.node.map(Box::from), stamp: record.stamp };
                self.building.get(&key).copied().ok_or(key)
            }
        }
    }

    /// Events in flight (building or waiting behind a lower one).
    pub fn in_flight(&self) -> usize {
        self.order.len()
    }

    /// Adds one record; calls `emit` with every event that became ready, lowest first.
    /// Returns false when the record was dropped (an EOE whose event already ended).
    pub fn push(&mut self, record: &Record<'_>, emit: &mut dyn FnMut(&Event)) -> bool {
        let enriched = record.enrichment.is_some();
        let stored = (self.stored)(record.kind);
        match self.building_slot(record) {
            Ok(slot) => {
                self.last = Some(slot);
                let ends = match self.rules {
                    EndRules::Ausearch => false,
                    EndRules::Auparse => matches!(record.kind, types::EOE | types::PROCTITLE),
                    EndRules::Eoe => record.kind == types::EOE,
                };
                let Some(entry) = self.slots[slot as usize].as_mut() else { return false };
                let before = entry.event.bytes();
                append(&mut entry.event, record, enriched, stored);
                self.held = self.held + entry.event.bytes() - before;
                if ends {
                    self.complete(slot);
                }
            }
            Err(_) if record.kind == types::EOE && self.rules != EndRules::Eoe => {
                // ausearch: "Eat standalone EOE, main event was already marked complete". On the
                // kernel's stream an EOE only comes alone when the rest of its event was lost:
                // it is kept, as an event of its own, so that every record read is shown.
                return false;
            }
            Err(key) => {
                let mut event = match self.spare.pop() {
                    Some(mut spare) => {
                        spare.text.clear();
                        spare.spans.clear();
                        spare.key = key.clone();
                        spare.first_kind = record.kind;
                        spare.enriched = false;
                        spare
                    }
                    // Room for a typical syscall event (SYSCALL, CWD, PATH, PROCTITLE, EOE) at once.
                    None => Event {
                        key: key.clone(),
                        first_kind: record.kind,
                        enriched: false,
                        text: Vec::with_capacity(1024),
                        spans: Vec::with_capacity(6),
                    },
                };
                append(&mut event, record, enriched, stored);
                self.held += event.bytes();
                let slot = match self.free.pop() {
                    Some(Reverse(slot)) => slot,
                    None => {
                        self.slots.push(None);
                        (self.slots.len() - 1) as u32
                    }
                };
                let sec = record.stamp.sec;
                self.order.push(Reverse((sec, record.stamp.msec, record.stamp.serial, slot)));
                self.started += 1;
                self.slots[slot as usize] = Some(Slot { event, complete: false, generation: self.started });
                self.building.insert(key, slot);
                self.by_time.push(Reverse((sec, slot, self.started)));
                self.last = Some(slot);
                let at_once = match self.rules {
                    // On the kernel's stream a PROCTITLE comes first only when the records
                    // before it were lost; its EOE still follows.
                    EndRules::Eoe => {
                        record.kind == types::EOE || (ends_at_once(record.kind) && record.kind != types::PROCTITLE)
                    }
                    _ => ends_at_once(record.kind),
                };
                if at_once {
                    self.complete(slot);
                }
                // check_events: building events `timeout` seconds older than this one end.
                self.timed_out(sec);
            }
        }
        self.drain(emit, false);
        while self.held > self.limit && !self.order.is_empty() {
            self.drain(emit, true);
        }
        true
    }

    /// For a live stream gone quiet: events still building whose second is `timeout` or
    /// more before `now` (wall clock, seconds) are complete, as if a later record had come;
    /// emits what became ready.
    pub fn expire(&mut self, now: u64, emit: &mut dyn FnMut(&Event)) {
        self.timed_out(now);
        self.drain(emit, false);
    }

    /// Completes the events still building whose second is `timeout` or more before `sec`.
    fn timed_out(&mut self, sec: u64) {
        let building = |slots: &[Option<Slot>], slot: u32, generation: u64| {
            slots[slot as usize].as_ref().is_some_and(|s| !s.complete && s.generation == generation)
        };
        while let Some(&Reverse((old, slot, generation))) = self.by_time.peek() {
            let building = building(&self.slots, slot, generation);
            if building && old.saturating_add(self.timeout) > sec {
                break;
            }
            self.by_time.pop();
            if building {
                self.complete(slot);
            }
        }
        // Entries of events that completed otherwise (at once, by the limit) wait below a
        // building one; when they outnumber the building events they are swept, so the
        // heap stays within a constant factor of what is in flight.
        if self.by_time.len() > 2 * self.building.len() + 1024 {
            let slots = &self.slots;
            self.by_time.retain(|&Reverse((_, slot, generation))| building(slots, slot, generation));
        }
    }

    /// End of input: everything is complete; emits all, lowest first.
    pub fn finish(&mut self, emit: &mut dyn FnMut(&Event)) {
        while !self.order.is_empty() {
            self.drain(emit, true);
        }
    }

    fn complete(&mut self, slot: u32) {
        if let Some(entry) = self.slots[slot as usize].as_mut() {
            if !entry.complete {
                entry.complete = true;
                self.building.remove(&entry.event.key);
            }
        }
    }

    /// Emits the lowest events while they are complete; with `force`, the lowest one
    /// whether complete or not, then those complete behind it.
    fn drain(&mut self, emit: &mut dyn FnMut(&Event), mut force: bool) {
        while let Some(&Reverse(first)) = self.order.peek() {
            let slot = first.3;
            let ready = self.slots[slot as usize].as_ref().is_some_and(|s| s.complete);
            if !ready && !force {
                return;
            }
            force = false;
            self.complete(slot);
            self.order.pop();
            if let Some(entry) = self.slots[slot as usize].take() {
                self.held = self.held.saturating_sub(entry.event.bytes());
                self.free.push(Reverse(slot));
                emit(&entry.event);
                // Its buffers serve a later event: no allocation per event in the steady state.
                if self.spare.len() < SPARE_EVENTS && entry.event.text.capacity() <= SPARE_BYTES {
                    self.spare.push(entry.event);
                }
            }
        }
    }
}

fn append(event: &mut Event, record: &Record<'_>, enriched: bool, stored: bool) {
    event.enriched |= enriched;
    let line = if stored { record.line } else { b"" };
    // Lines past 4 GiB in one event cannot be addressed; such an event is cut there.
    let (Ok(start), Ok(end)) = (u32::try_from(event.text.len()), u32::try_from(event.text.len() + line.len())) else {
        return;
    };
    event.text.extend_from_slice(line);
    // Offsets of the record's parts in its own line (they are subslices of it).
    let offset = |part: &[u8]| (part.as_ptr() as usize).saturating_sub(line.as_ptr() as usize) as u32;
    let range = |part: &[u8]| (offset(part), offset(part) + part.len() as u32);
    let (type_name, body) = if stored { (range(record.type_name), range(record.body)) } else { ((0, 0), (0, 0)) };
    event.spans.push(Span { start, end, kind: record.kind, enriched, stored, type_name, body });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(rules: EndRules, lines: &[&str]) -> Vec<Vec<String>> {
        let mut r = Reassembler::new(rules, 2);
        let mut out = Vec::new();
        let mut emit = |e: &Event| out.push(e.lines().map(|l| String::from_utf8_lossy(l).into_owned()).collect());
        for line in lines {
            r.push(&Record::parse(line.as_bytes()).unwrap(), &mut emit);
        }
        r.finish(&mut emit);
        out
    }

    #[test]
    fn the_kernel_stream_keeps_what_survived_a_loss() {
        let serials = |lines: &[&str]| -> Vec<Vec<String>> { run(EndRules::Eoe, lines) };
        let events = serials(&[
            "type=PROCTITLE msg=audit(1.000:5): p",
            "type=EOE msg=audit(1.000:5): ",
            "type=EOE msg=audit(1.000:6): ",
            "type=SYSCALL msg=audit(1.000:7): a",
            "type=PROCTITLE msg=audit(1.000:7): p",
            "type=EOE msg=audit(1.000:7): ",
        ]);
        assert_eq!(short(&events), [vec!["PROCTITLE", "EOE"], vec!["EOE"], vec!["SYSCALL", "PROCTITLE", "EOE"]]);
    }

    #[test]
    fn a_quiet_stream_expires_what_waits_for_no_eoe() {
        let mut r = Reassembler::new(EndRules::Auparse, 2);
        let out = std::cell::RefCell::new(Vec::new());
        let mut emit = |e: &Event| out.borrow_mut().push(e.stamp().serial);
        r.push(&Record::parse(b"type=AVC msg=audit(100.000:7): a").unwrap(), &mut emit);
        r.push(&Record::parse(b"type=SYSCALL msg=audit(101.000:8): a").unwrap(), &mut emit);
        r.push(&Record::parse(b"type=EOE msg=audit(101.000:8): ").unwrap(), &mut emit);
        r.expire(101, &mut emit);
        assert!(out.borrow().is_empty(), "the AVC still waits, and the EOE'd event behind it: {out:?}");
        r.expire(102, &mut emit);
        assert_eq!(*out.borrow(), [7, 8]);
        assert_eq!(r.in_flight(), 0);
    }

    fn short(events: &[Vec<String>]) -> Vec<Vec<&str>> {
        events.iter().map(|e| e.iter().map(|l| &l[5..l.find(' ').unwrap()]).collect()).collect()
    }

    #[test]
    fn interleaved_events_come_out_whole_and_in_stamp_order() {
        let lines = [
            "type=SYSCALL msg=audit(10.500:6): a",
            "type=SYSCALL msg=audit(10.400:5): a",
            "type=PATH msg=audit(10.500:6): a",
            "type=EOE msg=audit(10.500:6): ",
            "type=PATH msg=audit(10.400:5): a",
            "type=USER_LOGIN msg=audit(10.450:9): a",
            "type=EOE msg=audit(10.400:5): ",
        ];
        let events = run(EndRules::Ausearch, &lines);
        assert_eq!(
            short(&events),
            [vec!["SYSCALL", "PATH", "EOE"], vec!["USER_LOGIN"], vec!["SYSCALL", "PATH", "EOE"]]
        );
        assert!(events[0][0].contains("10.400:5"));
    }

    #[test]
    fn timeout_is_stream_time_and_late_eoe_is_dropped() {
        let lines = [
            "type=SYSCALL msg=audit(10.000:1): a",
            "type=SYSCALL msg=audit(12.000:2): a",
            // Event 1 ended when event 2 started 2 s later: its EOE is dropped, its PATH
            // starts a new event of one record.
            "type=EOE msg=audit(10.000:1): ",
            "type=PATH msg=audit(10.000:1): a",
        ];
        let events = run(EndRules::Ausearch, &lines);
        assert_eq!(short(&events), [vec!["SYSCALL"], vec!["PATH"], vec!["SYSCALL"]]);
    }

    #[test]
    fn auparse_rules_end_at_eoe() {
        let lines = [
            "type=SYSCALL msg=audit(10.500:6): a",
            "type=EOE msg=audit(10.500:6): ",
            "type=SYSCALL msg=audit(10.400:5): a",
            "type=EOE msg=audit(10.400:5): ",
        ];
        let events = run(EndRules::Auparse, &lines);
        assert!(events[0][0].contains("10.500:6"), "auparse emits at EOE: {events:?}");
        let events = run(EndRules::Ausearch, &lines);
        assert!(events[0][0].contains("10.400:5"), "ausearch waits: {events:?}");
    }

    #[test]
    fn nodes_separate_events_and_ties_go_by_slot() {
        let lines = ["node=b type=SYSCALL msg=audit(1.000:1): a", "node=a type=SYSCALL msg=audit(1.000:1): a"];
        let events = run(EndRules::Ausearch, &lines);
        assert_eq!(events.len(), 2);
        assert!(events[0][0].starts_with("node=b"));
    }

    #[test]
    fn memory_is_bounded_by_the_limit() {
        let mut r = Reassembler::with_limit(EndRules::Ausearch, 2, 64 << 10);
        let mut emitted = 0;
        // Stamps going backwards never time out; the limit forces them out.
        for i in 0..20_000u64 {
            let line = format!("type=SYSCALL msg=audit({}.000:{i}): a", 1_000_000 - i);
            r.push(&Record::parse(line.as_bytes()).unwrap(), &mut |_| emitted += 1);
            assert!(r.held <= (64 << 10) + 4096);
        }
        r.finish(&mut |_| emitted += 1);
        assert_eq!(emitted, 20_000);
    }

    #[test]
    fn timeout_entries_of_ended_events_do_not_pile_up() {
        // With the default limit the first event is forced out early and its slot serves
        // each new event of the same second in turn.
        let mut r = Reassembler::new(EndRules::Auparse, 2);
        for i in 1..50_000u64 {
            for kind in ["SYSCALL", "EOE"] {
                let line = format!("type={kind} msg=audit(5.000:{i}): a");
                r.push(&Record::parse(line.as_bytes()).unwrap(), &mut |_| {});
            }
            assert!(r.by_time.len() < 1100, "{} entries", r.by_time.len());
        }
        let mut r = Reassembler::with_limit(EndRules::Auparse, 2, usize::MAX);
        let mut emitted = 0;
        // One event keeps building at the top while 50,000 of the same second end at their
        // EOE: their timeout entries are swept, not kept until the second passes.
        r.push(&Record::parse(b"type=SYSCALL msg=audit(5.000:1): a").unwrap(), &mut |_| emitted += 1);
        for i in 2..50_000u64 {
            for kind in ["SYSCALL", "EOE"] {
                let line = format!("type={kind} msg=audit(5.000:{i}): a");
                r.push(&Record::parse(line.as_bytes()).unwrap(), &mut |_| emitted += 1);
            }
            assert!(r.by_time.len() < 1100, "{} entries", r.by_time.len());
        }
        assert_eq!(r.in_flight(), 49_999, "all wait behind the first, as ausearch's order asks");
        r.push(&Record::parse(b"type=SYSCALL msg=audit(8.000:50000): a").unwrap(), &mut |_| emitted += 1);
        assert_eq!(emitted, 49_999, "the first timed out, and everything behind it left");
        r.finish(&mut |_| emitted += 1);
        assert_eq!(emitted, 50_000);
    }
}
