//! The generator: report `i` drawn from its own random stream, typed, then validated as the form
//! validates it.

use super::world::{Network, network_sizes};
use super::writer::Typist;
use super::*;

/// Generates reports `0..count` from a seed.
#[derive(Debug)]
pub struct Generator {
    seed: u64,
    count: u64,
    now: OffsetDateTime,
    data: &'static Data,
    networks: Vec<Network>,
    network_weights: Weighted,
}

/// A report as a reporter typed it, before validation.
#[derive(Debug, Clone, PartialEq)]
pub struct Typed {
    pub input: ReportInput,
    pub channel: Channel,
    pub received_at: OffsetDateTime,
    /// Stands for the submission (its receipt and duplicate check derive from it).
    pub seed: [u8; 16],
}

impl Generator {
    /// A generator of `count` reports received in the two years before `now`.
    pub fn new(seed: u64, count: u64, now: OffsetDateTime) -> Result<Self, SeedError> {
        let data = DATA.as_ref().map_err(|e| SeedError::Data(e.clone()))?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(0);
        let largest = (count as f64 / 100.0).clamp(30.0, 1000.0);
        let sizes = network_sizes(&mut rng, count as f64 * NETWORK_SHARE, largest);
        let networks = sizes
            .iter()
            .map(|s| Network::new(data, &mut rng, *s))
            .collect();
        let network_weights = Weighted::new(sizes.iter().map(|s| *s as f64));
        Ok(Self {
            seed,
            count: count.max(1),
            now: now.replace_nanosecond(0).unwrap_or(now),
            data,
            networks,
            network_weights,
        })
    }

    /// Report `index`, validated as the form validates it.
    pub fn report(&self, index: u64) -> Result<BulkReport, SeedError> {
        let typed = self.typed(index);
        let report =
            validate(&typed.input, typed.channel, typed.received_at.date()).map_err(|errors| {
                SeedError::Invalid {
                    index,
                    fields: errors
                        .iter()
                        .map(|e| format!("{}: {}", e.field, e.code))
                        .collect::<Vec<_>>()
                        .join(", "),
                }
            })?;
        Ok(BulkReport {
            report,
            seed: typed.seed.to_vec(),
            received_at: typed.received_at,
        })
    }

    /// Reports in `range`, generated on `threads` threads (the result does not depend on it).
    pub fn reports(&self, range: Range<u64>, threads: usize) -> Result<Vec<BulkReport>, SeedError> {
        let len = range.end.saturating_sub(range.start);
        let threads = threads.clamp(1, 16) as u64;
        if threads == 1 || len < 2 * threads {
            return range.map(|i| self.report(i)).collect();
        }
        let per_thread = len.div_ceil(threads);
        std::thread::scope(|scope| {
            let parts: Vec<_> = (0..threads)
                .map(|t| {
                    let start = range.start + t * per_thread;
                    let end = (start + per_thread).min(range.end);
                    scope.spawn(move || {
                        (start..end)
                            .map(|i| self.report(i))
                            .collect::<Result<Vec<_>, _>>()
                    })
                })
                .collect();
            let mut out = Vec::with_capacity(len as usize);
            for part in parts {
                match part.join() {
                    Ok(reports) => out.extend(reports?),
                    Err(_) => {
                        return Err(SeedError::Data("a generator thread failed".to_owned()));
                    }
                }
            }
            Ok(out)
        })
    }

    /// Report `index` as typed, before validation.
    pub fn typed(&self, index: u64) -> Typed {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(index.wrapping_add(1));
        let mut seed = [0u8; 16];
        rng.fill_bytes(&mut seed);
        let span = Duration::days(SPAN_DAYS).whole_seconds() as f64;
        let offset = (index as f64 + rng.random::<f64>()) / self.count as f64 * span;
        let received_at = self.now - Duration::days(SPAN_DAYS) + Duration::seconds(offset as i64);

        let fresh;
        let pick = rng
            .random_bool(NETWORK_SHARE)
            .then(|| self.network_weights.pick(&mut rng));
        let (network, shared) = match pick.and_then(|i| self.networks.get(i)) {
            Some(n) => (n, true),
            None => {
                fresh = Network::new(self.data, &mut rng, 1);
                (&fresh, false)
            }
        };
        let (input, channel) = Typist {
            data: self.data,
            rng: &mut rng,
            received_at,
        }
        .type_report(network, shared);
        Typed {
            input,
            channel,
            received_at,
            seed,
        }
    }
}
