//! The time series of generated assets: grouped per asset, named by the site's systems, and
//! mixed with time series of no asset.

use std::fmt::Write as _;

use super::names::{self, Style};
use super::vocabulary::{F_CONTROLLER, F_INDICATOR, F_TRANSMITTER, F_VALVE, SITES, SUFFIX_B};
use super::{
    loop_number, new_loop, Kind, Plant, Tag, NO_ASSET_SHARE, SOURCE_COLUMNS, STYLES_PER_SITE,
    TRUTH_COLUMNS,
};
use crate::csv_out::{csv_writer, finish};
use crate::rng::Rng;

/// Share of the time series of no asset that are system tags, not tags the asset list lacks.
const SYSTEM_TAG_SHARE: f64 = 0.35;
/// Share of missing tags that are a sibling of a listed loop (`21PIC1019` next to `21PT1019`).
const NEAR_MISS_SHARE: f64 = 0.3;
/// Share of time series named in one of their site's conventions rather than a fresh one.
const SITE_STYLE_SHARE: f64 = 0.75;
/// Chance that an asset's time series group has each attribute beyond the main one.
const EXTRA_ATTRIBUTE_SHARE: f64 = 0.5;
const MISSING_UNIT_SHARE: f64 = 0.05;

#[derive(Default)]
struct Row {
    id: String,
    name: String,
    description: String,
    unit: &'static str,
    /// The site code of the historian that records the time series.
    site: &'static str,
    target: String,
    /// The asset's description, which the source's is made from.
    scratch: String,
}

impl Row {
    fn clear(&mut self) {
        for s in [
            &mut self.id,
            &mut self.name,
            &mut self.description,
            &mut self.target,
            &mut self.scratch,
        ] {
            s.clear();
        }
        self.unit = "";
        self.site = "";
    }
}

/// The time series of one asset still to be written, all in one naming convention.
struct Group {
    tag: usize,
    style: Style,
    attributes: [u8; 4],
    len: usize,
    next: usize,
}

/// Hands out assets with time series: all of them in a shuffled order, then again in another.
struct Dealer {
    order: Vec<usize>,
    next: usize,
    round: usize,
}

impl Dealer {
    fn new(rng: &mut Rng, plant: &Plant) -> Dealer {
        let mut order: Vec<usize> = (0..plant.tags.len())
            .filter(|&i| !plant.tags[i].kind.attributes().is_empty())
            .collect();
        shuffle(rng, &mut order);
        Dealer {
            order,
            next: 0,
            round: 0,
        }
    }

    fn group(&mut self, rng: &mut Rng, plant: &Plant) -> Group {
        if self.next == self.order.len() {
            shuffle(rng, &mut self.order);
            self.next = 0;
            self.round += 1;
        }
        let tag = self.order[self.next];
        self.next += 1;
        let site = &plant.sites[plant.tags[tag].site as usize];
        // Each round is another system of the site, so an asset's names differ between rounds.
        let style = if rng.chance(SITE_STYLE_SHARE) {
            site.styles[self.round % STYLES_PER_SITE]
        } else {
            Style::draw(rng)
        };
        let mut group = Group {
            tag,
            style,
            attributes: [0; 4],
            len: 0,
            next: 0,
        };
        for (k, &a) in plant.tags[tag].kind.attributes().iter().enumerate() {
            if group.len < group.attributes.len() && (k == 0 || rng.chance(EXTRA_ATTRIBUTE_SHARE)) {
                group.attributes[group.len] = a;
                group.len += 1;
            }
        }
        group
    }
}

fn shuffle<T>(rng: &mut Rng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let j = rng.index(i + 1);
        items.swap(i, j);
    }
}

/// The sources and truth CSVs, and each source's deformations.
pub(super) fn write_sources(rng: &mut Rng, plant: &Plant, n: usize) -> (String, String, Vec<u16>) {
    let mut sources = csv_writer();
    let mut truth = csv_writer();
    let _ = sources.write_record(SOURCE_COLUMNS);
    let _ = truth.write_record(TRUTH_COLUMNS);
    let mut dealer = Dealer::new(rng, plant);
    // Exactly this many sources have no asset, spread by selection sampling.
    let mut no_asset_left = if dealer.order.is_empty() {
        n as u64
    } else {
        (n as f64 * NO_ASSET_SHARE).round() as u64
    };
    let mut group: Option<Group> = None;
    let mut scratch: Vec<Tag> = Vec::new();
    let mut row = Row::default();
    let mut deformations = Vec::with_capacity(n);
    for i in 0..n as u64 {
        row.clear();
        let _ = write!(row.id, "ts_{}", i + 1);
        let applied = if rng.below(n as u64 - i) >= no_asset_left {
            let g = match group.take() {
                Some(g) if g.next < g.len => group.insert(g),
                _ => group.insert(dealer.group(rng, plant)),
            };
            let attribute = g.attributes[g.next];
            g.next += 1;
            let tag = &plant.tags[g.tag];
            let _ = write!(row.target, "asset_{}", g.tag + 1);
            write_source(rng, &mut row, &g.style, tag, attribute)
        } else {
            no_asset_left -= 1;
            write_source_without_asset(rng, &mut row, plant, &mut scratch)
        };
        let unit = if applied & names::UNIT_MISSING == 0 {
            row.unit
        } else {
            ""
        };
        let _ = sources.write_record([
            row.id.as_str(),
            row.name.as_str(),
            row.description.as_str(),
            unit,
            row.site,
        ]);
        let _ = truth.write_record([row.id.as_str(), row.target.as_str()]);
        deformations.push(applied);
    }
    (finish(sources), finish(truth), deformations)
}

/// Fills `row` with time series `attribute` of `tag` named in `style`; returns its deformations.
fn write_source(rng: &mut Rng, row: &mut Row, style: &Style, tag: &Tag, attribute: u8) -> u16 {
    let mut applied = names::write_source_name(rng, &mut row.name, style, tag, attribute);
    names::write_description(&mut row.scratch, tag);
    applied |= names::write_source_description(rng, &mut row.description, &row.scratch, attribute);
    row.unit = tag.unit(attribute);
    row.site = SITES[tag.site as usize];
    if !row.unit.is_empty() && rng.chance(MISSING_UNIT_SHARE) {
        applied |= names::UNIT_MISSING;
    }
    applied
}

/// Fills `row` with a time series of no asset: a system tag, or a tag the asset list lacks.
fn write_source_without_asset(
    rng: &mut Rng,
    row: &mut Row,
    plant: &Plant,
    scratch: &mut Vec<Tag>,
) -> u16 {
    let site = rng.index(plant.sites.len());
    if !rng.chance(SYSTEM_TAG_SHARE) {
        if let Some(tag) = missing_tag(rng, plant, site, scratch) {
            let style = site_style(rng, plant, tag.site as usize);
            let attributes = tag.kind.attributes();
            let attribute = attributes[rng.index(attributes.len())];
            return write_source(rng, row, &style, &tag, attribute);
        }
    }
    let style = site_style(rng, plant, site);
    row.site = SITES[site];
    row.unit = names::write_system_tag(
        rng,
        &mut row.name,
        &mut row.description,
        SITES[site],
        &style,
    );
    0
}

/// One of the site's naming conventions, or now and then a fresh one.
fn site_style(rng: &mut Rng, plant: &Plant, site: usize) -> Style {
    if rng.chance(SITE_STYLE_SHARE) {
        plant.sites[site].styles[rng.index(STYLES_PER_SITE)]
    } else {
        Style::draw(rng)
    }
}

/// A tag with time series that is no asset, at any site: a sibling in a listed loop
/// (`21PIC1019` where `21PT1019` is listed) or in a new loop at `site`. `None` when the draws
/// keep hitting assets.
pub(super) fn missing_tag(
    rng: &mut Rng,
    plant: &Plant,
    site: usize,
    scratch: &mut Vec<Tag>,
) -> Option<Tag> {
    for _ in 0..8 {
        let tag = if !plant.tags.is_empty() && rng.chance(NEAR_MISS_SHARE) {
            let mut tag = plant.tags[rng.index(plant.tags.len())];
            match tag.kind {
                Kind::Instrument { var, .. } => {
                    let func = rng.pick(&[F_TRANSMITTER, F_INDICATOR, F_CONTROLLER, F_VALVE]);
                    tag.kind = Kind::Instrument { var, func };
                }
                // Pump C of a pair.
                _ => tag.suffix = rng.pick(&[SUFFIX_B, 3]),
            }
            tag
        } else {
            let s = &plant.sites[site];
            let base = Tag {
                site: site as u8,
                area: rng.pick(&s.areas),
                kind: Kind::Valve(0),
                loop_no: loop_number(rng, s.width),
                width: s.width,
                suffix: 0,
                context: 0,
                position: 0,
                unit: 0,
            };
            scratch.clear();
            new_loop(rng, base, scratch);
            scratch.retain(|t| !t.kind.attributes().is_empty());
            if scratch.is_empty() {
                continue;
            }
            scratch[rng.index(scratch.len())]
        };
        if !tag.kind.attributes().is_empty() && !plant.keys.contains(&tag.key()) {
            return Some(tag);
        }
    }
    None
}
