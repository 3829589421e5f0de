//! How a tag is written: its canonical name and description on the asset, and the deformed
//! spellings a plant historian gives the tag's time series.

use std::fmt::Write as _;

use super::vocabulary::{
    positions, ABBREVIATIONS, ATTRIBUTES, CONTEXTS, EQUIPMENT, FUNCTIONS, PV, SITES, SUFFIXES,
    SYSTEM_TAGS, VALVES, VARIABLES,
};
use super::{Kind, Tag};
use crate::rng::Rng;

// The deformations as bit flags, so that tests can tell which ones a source got.
pub(super) const SITE_PREFIX: u16 = 1;
pub(super) const SEPARATORS: u16 = 1 << 1;
pub(super) const ZEROS_DROPPED: u16 = 1 << 2;
pub(super) const ZEROS_ADDED: u16 = 1 << 3;
pub(super) const LOWER_CASE: u16 = 1 << 4;
pub(super) const ATTRIBUTE_SUFFIX: u16 = 1 << 5;
pub(super) const AREA_ZERO: u16 = 1 << 6;
pub(super) const AREA_LETTER: u16 = 1 << 7;
pub(super) const TYPO: u16 = 1 << 8;
pub(super) const DESCRIPTION_ABBREVIATED: u16 = 1 << 9;
pub(super) const DESCRIPTION_UPPER: u16 = 1 << 10;
pub(super) const DESCRIPTION_MISSING: u16 = 1 << 11;
pub(super) const UNIT_MISSING: u16 = 1 << 12;

/// Share of source names with one character dropped, doubled, swapped or mistyped.
const TYPO_SHARE: f64 = 0.03;

#[derive(Clone, Copy)]
enum AreaForm {
    Plain,
    /// `021PT1019`: the area written with three digits.
    LeadingZero,
    /// `U21PT1019`: "unit 21".
    Letter(char),
}

#[derive(Clone, Copy)]
enum Padding {
    Keep,
    /// `23FIC42` for `23FIC0042`.
    Strip,
    /// One more zero than the asset has: `23FIC00042`, `21PT01019`.
    Add,
}

#[derive(Clone, Copy)]
enum AttributeForm {
    /// The main value bare (`21PT1019`), other attributes after a dot.
    Bare,
    Dot,
    Colon,
    /// DeltaV's `21PT1019/PV.CV`.
    Slash,
    Underscore,
}

/// A historian's naming convention. Each site has a few (its control system, its information
/// management system, ...), and some time series are named by hand in a fresh one.
#[derive(Clone, Copy)]
pub(super) struct Style {
    /// What follows the site code, which comes first; `None`: no site code.
    prefix: Option<char>,
    area: AreaForm,
    /// Between the area, the function letters and the loop number.
    separator: Option<char>,
    padding: Padding,
    attribute: AttributeForm,
    /// What the main value is called: PV, MEAS, VALUE or DACA.PV.
    value_name: &'static str,
    lower: bool,
}

impl Style {
    /// A convention drawn with the probabilities in the module documentation of `tags`.
    pub(super) fn draw(rng: &mut Rng) -> Style {
        let prefix = match rng.below(100) {
            0..=54 => None,
            55..=86 => Some('_'),
            87..=91 => Some('.'),
            92..=95 => Some('-'),
            _ => Some(':'),
        };
        let area = match rng.below(100) {
            0..=87 => AreaForm::Plain,
            88..=93 => AreaForm::LeadingZero,
            _ => AreaForm::Letter(if rng.chance(0.5) { 'U' } else { 'A' }),
        };
        let separator = match rng.below(100) {
            0..=59 => None,
            60..=81 => Some('-'),
            82..=94 => Some('_'),
            _ => Some(' '),
        };
        let padding = match rng.below(100) {
            0..=77 => Padding::Keep,
            78..=89 => Padding::Strip,
            _ => Padding::Add,
        };
        let attribute = match rng.below(100) {
            0..=19 => AttributeForm::Bare,
            20..=74 => AttributeForm::Dot,
            75..=86 => AttributeForm::Colon,
            87..=94 => AttributeForm::Slash,
            _ => AttributeForm::Underscore,
        };
        let value_name = match rng.below(100) {
            0..=64 => "PV",
            65..=76 => "MEAS",
            77..=91 => "VALUE",
            _ => "DACA.PV",
        };
        Style {
            prefix,
            area,
            separator,
            padding,
            attribute,
            value_name,
            lower: rng.chance(0.08),
        }
    }
}

fn write_code(out: &mut String, kind: Kind) {
    match kind {
        Kind::Instrument { var, func } => {
            out.push_str(VARIABLES[var as usize].letter);
            out.push_str(FUNCTIONS[func as usize].letters);
        }
        Kind::Valve(v) => out.push_str(VALVES[v as usize].letters),
        Kind::Equipment(e) => out.push_str(EQUIPMENT[e as usize].letters),
    }
}

/// The asset's name: `21PT1019`, `23FIC0042`, `21AA1019CA`.
pub(super) fn write_tag_name(out: &mut String, tag: &Tag) {
    let _ = write!(out, "{:02}", tag.area);
    write_code(out, tag.kind);
    let _ = write!(out, "{:0w$}", tag.loop_no, w = tag.width as usize);
    out.push_str(SUFFIXES[tag.suffix as usize]);
}

/// Writes the name `style` gives time series `attribute` of `tag`, now and then with a typo;
/// returns the deformations it got.
pub(super) fn write_source_name(
    rng: &mut Rng,
    out: &mut String,
    style: &Style,
    tag: &Tag,
    attribute: u8,
) -> u16 {
    let start = out.len();
    let mut applied = 0;
    if let Some(c) = style.prefix {
        out.push_str(SITES[tag.site as usize]);
        out.push(c);
        applied |= SITE_PREFIX;
    }
    let core = out.len();
    match style.area {
        AreaForm::Plain => {}
        AreaForm::LeadingZero => {
            out.push('0');
            applied |= AREA_ZERO;
        }
        AreaForm::Letter(c) => {
            out.push(c);
            applied |= AREA_LETTER;
        }
    }
    let _ = write!(out, "{:02}", tag.area);
    applied |= push_separator(out, style);
    write_code(out, tag.kind);
    applied |= push_separator(out, style);
    applied |= write_loop_number(out, tag, style.padding);
    out.push_str(SUFFIXES[tag.suffix as usize]);
    // The typo hits the tag itself, not the site code or the attribute, which are system-made.
    if rng.chance(TYPO_SHARE) && typo(rng, out, core) {
        applied |= TYPO;
    }
    applied |= write_attribute(out, style, attribute);
    if style.lower {
        out[start..].make_ascii_lowercase();
        applied |= LOWER_CASE;
    }
    applied
}

fn push_separator(out: &mut String, style: &Style) -> u16 {
    match style.separator {
        Some(c) => {
            out.push(c);
            SEPARATORS
        }
        None => 0,
    }
}

fn write_loop_number(out: &mut String, tag: &Tag, padding: Padding) -> u16 {
    let natural = match tag.loop_no {
        0..=9 => 1,
        10..=99 => 2,
        100..=999 => 3,
        _ => 4,
    };
    let (width, applied) = match padding {
        Padding::Keep => (tag.width, 0),
        Padding::Strip if natural < tag.width => (0, ZEROS_DROPPED),
        Padding::Strip => (0, 0),
        Padding::Add => (tag.width.max(natural) + 1, ZEROS_ADDED),
    };
    let _ = write!(out, "{:0w$}", tag.loop_no, w = width as usize);
    applied
}

fn write_attribute(out: &mut String, style: &Style, attribute: u8) -> u16 {
    let name = if attribute == PV {
        style.value_name
    } else {
        ATTRIBUTES[attribute as usize].name
    };
    match style.attribute {
        AttributeForm::Bare if attribute == PV => return 0,
        AttributeForm::Bare | AttributeForm::Dot => out.push('.'),
        AttributeForm::Colon => out.push(':'),
        AttributeForm::Slash => {
            // DeltaV names the block parameter, then the field: always PV.CV, never MEAS.
            out.push('/');
            out.push_str(ATTRIBUTES[attribute as usize].name);
            out.push_str(".CV");
            return ATTRIBUTE_SUFFIX;
        }
        AttributeForm::Underscore => out.push('_'),
    }
    out.push_str(name);
    ATTRIBUTE_SUFFIX
}

/// Drops, doubles, swaps or mistypes one character of `out[from..]` (ASCII by construction);
/// true when the text changed.
fn typo(rng: &mut Rng, out: &mut String, from: usize) -> bool {
    let len = out.len() - from;
    if len < 3 || !out[from..].is_ascii() {
        return false;
    }
    let at = from + rng.index(len);
    let bytes = out.as_bytes();
    let c = bytes[at] as char;
    match rng.below(4) {
        0 => {
            out.remove(at);
        }
        1 => out.insert(at, c),
        2 if at + 1 < out.len() && bytes[at + 1] != bytes[at] => {
            let next = bytes[at + 1] as char;
            out.remove(at + 1);
            out.insert(at, next);
        }
        _ => {
            // The key next to it: digits and letters move one on, anything else goes.
            let wrong = match c {
                '9' => '0',
                'Z' => 'A',
                '0'..='8' | 'A'..='Y' => (c as u8 + 1) as char,
                _ => {
                    out.remove(at);
                    return true;
                }
            };
            let mut buf = [0u8; 4];
            out.replace_range(at..at + 1, wrong.encode_utf8(&mut buf));
        }
    }
    true
}

/// The asset's description: "Pressure transmitter, inlet separator discharge", "Crude export
/// pump A".
pub(super) fn write_description(out: &mut String, tag: &Tag) {
    let start = out.len();
    let (context, place) = CONTEXTS[tag.context as usize];
    match tag.kind {
        Kind::Instrument { var, func } => {
            let f = &FUNCTIONS[func as usize];
            out.push_str(f.before);
            out.push_str(VARIABLES[var as usize].noun);
            out.push_str(f.after);
        }
        Kind::Valve(v) => out.push_str(VALVES[v as usize].noun),
        Kind::Equipment(_) => {
            out.push_str(context);
            let suffix = SUFFIXES[tag.suffix as usize];
            if !suffix.is_empty() {
                out.push(' ');
                out.push_str(suffix);
            }
        }
    }
    if !matches!(tag.kind, Kind::Equipment(_)) {
        out.push_str(", ");
        out.push_str(context);
        if tag.position > 0 {
            out.push(' ');
            out.push_str(positions(place)[tag.position as usize - 1]);
        }
    }
    if let Some(first) = out.get_mut(start..start + 1) {
        first.make_ascii_uppercase();
    }
}

/// The description of a time series: its asset's (`tag_description`) as it is, abbreviated,
/// in capitals or left out, with what the attribute is ("- setpoint"); returns the deformations.
pub(super) fn write_source_description(
    rng: &mut Rng,
    out: &mut String,
    tag_description: &str,
    attribute: u8,
) -> u16 {
    let start = out.len();
    let applied = match rng.below(100) {
        0..=54 => {
            out.push_str(tag_description);
            0
        }
        55..=74 => {
            abbreviate(out, tag_description);
            DESCRIPTION_ABBREVIATED
        }
        75..=84 => {
            out.push_str(tag_description);
            DESCRIPTION_UPPER
        }
        _ => return DESCRIPTION_MISSING,
    };
    let qualifier = ATTRIBUTES[attribute as usize].qualifier;
    if !qualifier.is_empty() {
        out.push_str(" - ");
        out.push_str(qualifier);
    }
    if applied != 0 {
        out[start..].make_ascii_uppercase();
    }
    applied
}

/// "Pressure transmitter, inlet separator" as "press tx inlet sep" (capitalised by the caller).
fn abbreviate(out: &mut String, text: &str) {
    let start = out.len();
    for word in text.split([' ', ',']).filter(|w| !w.is_empty()) {
        if out.len() > start {
            out.push(' ');
        }
        let short = ABBREVIATIONS
            .iter()
            .find(|(long, _)| long.eq_ignore_ascii_case(word))
            .map_or(word, |(_, short)| short);
        out.push_str(short);
    }
}

/// A time series of the control system itself (`KKL_SYS_HEARTBEAT`), which belongs to no
/// asset; writes its name and description and returns its unit.
pub(super) fn write_system_tag(
    rng: &mut Rng,
    name: &mut String,
    description: &mut String,
    site: &str,
    style: &Style,
) -> &'static str {
    let (word, text, unit) = rng.pick(&SYSTEM_TAGS);
    name.push_str(site);
    name.push(style.prefix.unwrap_or('_'));
    name.push_str(word);
    if rng.chance(0.4) {
        // One per controller or server.
        let _ = write!(name, "_{:02}", 1 + rng.below(12));
    }
    if style.lower {
        name.make_ascii_lowercase();
    }
    if rng.chance(0.85) {
        description.push_str(text);
    }
    unit
}
