//! Generator of FEBRL-style person data: a reference file of original person records, a file of
//! modified duplicates of most of them plus people who are in no reference row, and the truth of
//! which is which.
//!
//! Modelled on the dataset generator of FEBRL (Christen, "Probabilistic data generation for
//! deduplication and data linkage"): names, addresses, dates of birth and social security numbers
//! drawn from skewed frequency tables, so common names repeat (there are several John Smiths), and
//! every duplicate carries one to three modifications: keyboard typos (insert, delete, substitute
//! with a neighbouring key, transpose), OCR confusions, phonetic variants, nicknames, split words,
//! swapped given name and surname, blanked fields, a changed surname, day and month of birth
//! swapped, digit slips in postcodes, street numbers and social security numbers. Documents write
//! the date of birth as `YYYYMMDD` or `DD/MM/YYYY`.
//!
//! Unlike FEBRL, a suburb always comes with its own postcode and state (FEBRL draws the three
//! independently), about one original in ten shares a household (surname and address) with
//! another, and so do some of the people who are in no reference row: family members are the
//! near misses real registers are full of.
//!
//! The same spec always gives the same files. All values are lower-case ASCII, as in FEBRL.

mod corrupt;
mod vocabulary;

use std::collections::HashSet;
use std::fmt::Write as _;

use chrono::{Datelike, Days, NaiveDate};

use self::corrupt::corrupt;
use self::vocabulary::*;
use crate::csv_out::{csv_writer, finish};
use crate::rng::Rng;

/// What to generate.
#[derive(Debug, Clone)]
pub struct PeopleSpec {
    /// Reference (A) records. About 90 % of them get a duplicate in the documents; the documents
    /// add a tenth of this many people who are in no reference row.
    pub originals: usize,
    pub seed: u64,
}

#[derive(Debug, Clone)]
pub struct PeopleData {
    /// The originals, `a_1` .. `a_N` (columns [`COLUMNS`]).
    pub reference_csv: String,
    /// Duplicates and unmatched people in random order, `b_1` .. (columns [`COLUMNS`]).
    pub documents_csv: String,
    /// `rec_id,reference_rec_id`: each document's original; empty when it has none.
    pub truth_csv: String,
}

/// The columns of both files, as in FEBRL.
pub const COLUMNS: [&str; 11] = [
    "rec_id",
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
];

pub const TRUTH_COLUMNS: [&str; 2] = ["rec_id", "reference_rec_id"];

/// Share of originals that have a duplicate among the documents.
const DUPLICATED_SHARE: f64 = 0.9;
/// Documents of people in no reference row, as a share of the originals.
const UNMATCHED_SHARE: f64 = 0.1;
/// Share of originals (and of unmatched people) who live with an earlier original.
const HOUSEHOLD_SHARE: f64 = 0.1;
const UNMATCHED_HOUSEHOLD_SHARE: f64 = 0.3;
/// Share of documents that write the date of birth `DD/MM/YYYY` instead of `YYYYMMDD`.
const SLASH_DATE_SHARE: f64 = 0.3;

// Fields by position in `COLUMNS` minus the id.
const GIVEN: usize = 0;
const SURNAME: usize = 1;
const STREET_NUMBER: usize = 2;
const ADDRESS_1: usize = 3;
const ADDRESS_2: usize = 4;
const SUBURB: usize = 5;
const POSTCODE: usize = 6;
const STATE: usize = 7;
const DOB: usize = 8;
const SSN: usize = 9;
const FIELDS: usize = 10;

/// How often each field is chosen for a modification (percent).
const MODIFY_FIELD_WEIGHTS: [u64; FIELDS] = [14, 14, 8, 12, 10, 10, 8, 4, 10, 10];
/// How often an original leaves a field blank (percent, per field): FEBRL's originals are not
/// complete either.
const ORIGINAL_MISSING: [f64; FIELDS] = [2.0, 1.0, 3.0, 2.0, 20.0, 1.0, 0.0, 1.0, 2.0, 0.0];

// Frequency tables: earlier entries are more common (weight 1 / (rank + offset)).
/// A frequency table: entry `k` (0-based) is drawn with weight `1 / (k + 1 + offset)`, a
/// Zipf-like skew that makes the first entries common without any dominating.
struct Skewed {
    cumulative: Vec<f64>,
}

impl Skewed {
    fn new(len: usize, offset: f64) -> Self {
        let mut total = 0.0;
        let cumulative = (0..len)
            .map(|k| {
                total += 1.0 / (k as f64 + 1.0 + offset);
                total
            })
            .collect();
        Skewed { cumulative }
    }

    fn draw(&self, rng: &mut Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let x = rng.unit() * total;
        self.cumulative
            .partition_point(|&c| c <= x)
            .min(self.cumulative.len().saturating_sub(1))
    }
}

struct Suburb {
    name: String,
    state: &'static str,
    postcode: String,
}

/// The entries of a comma-separated list.
fn list(entries: &'static str) -> Vec<&'static str> {
    entries
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect()
}

/// `(suburb, state)` pairs of [`SUBURBS`] ("nsw: paddington, bondi; vic: ...").
fn real_suburbs() -> Vec<(&'static str, &'static str)> {
    SUBURBS
        .split(';')
        .filter_map(|group| group.split_once(':'))
        .flat_map(|(state, names)| list(names).into_iter().map(move |n| (n, state.trim())))
        .collect()
}

/// A list with its frequency skew.
struct Table {
    items: Vec<&'static str>,
    freq: Skewed,
}

impl Table {
    fn new(items: Vec<&'static str>, offset: f64) -> Self {
        Table {
            freq: Skewed::new(items.len(), offset),
            items,
        }
    }

    fn draw(&self, rng: &mut Rng) -> &'static str {
        self.items[self.freq.draw(rng)]
    }
}

/// The tables a run draws from, built once per spec.
struct Tables {
    male: Table,
    female: Table,
    surnames: Table,
    streets: Table,
    places: Table,
    place_suffixes: Vec<&'static str>,
    suburbs: Vec<Suburb>,
    suburb_freq: Skewed,
}

impl Tables {
    fn new(rng: &mut Rng) -> Self {
        // Streets are named after the stems first, then after people.
        let mut streets = list(STREET_STEMS);
        streets.extend(list(SURNAMES));
        let mut seen: HashSet<&str> = HashSet::new();
        streets.retain(|s| seen.insert(s));
        let mut suburbs: Vec<Suburb> = real_suburbs()
            .into_iter()
            .map(|(name, state)| Suburb {
                name: name.to_string(),
                state,
                postcode: postcode(rng, state),
            })
            .collect();
        let mut names: HashSet<String> = suburbs.iter().map(|s| s.name.clone()).collect();
        let state_weights: Vec<u64> = STATES.iter().map(|s| s.1).collect();
        // Every start with every end, in an order fixed by the seed.
        let mut generated: Vec<String> = list(SUBURB_STARTS)
            .into_iter()
            .flat_map(|s| SUBURB_ENDS.iter().map(move |e| format!("{s}{e}")))
            .collect();
        shuffle(rng, &mut generated);
        for name in generated.into_iter().take(400) {
            if names.insert(name.clone()) {
                let state = STATES[rng.weighted(&state_weights)].0;
                suburbs.push(Suburb {
                    name,
                    state,
                    postcode: postcode(rng, state),
                });
            }
        }
        // Real and generated suburbs interleaved by chance, so popularity is not by kind.
        shuffle(rng, &mut suburbs);
        Tables {
            male: Table::new(list(MALE_NAMES), 8.0),
            female: Table::new(list(FEMALE_NAMES), 8.0),
            surnames: Table::new(list(SURNAMES), 12.0),
            streets: Table::new(streets, 20.0),
            places: Table::new(list(PLACE_STEMS), 10.0),
            place_suffixes: list(PLACE_SUFFIXES),
            suburb_freq: Skewed::new(suburbs.len(), 40.0),
            suburbs,
        }
    }
}

fn shuffle<T>(rng: &mut Rng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let j = rng.index(i + 1);
        items.swap(i, j);
    }
}

/// A postcode in the state's range, four digits ("0812" in the Northern Territory).
fn postcode(rng: &mut Rng, state: &str) -> String {
    let (lo, hi) = match state {
        "nsw" => (2000, 2599),
        "vic" => (3000, 3999),
        "qld" => (4000, 4999),
        "sa" => (5000, 5799),
        "wa" => (6000, 6797),
        "tas" => (7000, 7799),
        "act" => (2600, 2618),
        _ => (800, 899),
    };
    format!("{:04}", lo + rng.below(hi - lo + 1))
}

/// One person's record, field by field in `COLUMNS` order (without the id); empty is missing.
type Fields = [String; FIELDS];

fn new_person(rng: &mut Rng, t: &Tables, ssns: &mut HashSet<u32>) -> Fields {
    let female = rng.chance(0.5);
    let given = if female {
        t.female.draw(rng)
    } else {
        t.male.draw(rng)
    };
    let surname = t.surnames.draw(rng);
    let mut f: Fields = Default::default();
    f[GIVEN] = given.to_string();
    f[SURNAME] = surname.to_string();
    set_household(rng, t, &mut f);
    let first = NaiveDate::from_ymd_opt(1920, 1, 1).unwrap_or_default();
    // 1920-01-01 to 2005-12-31.
    let dob = first + Days::new(rng.below(31_412));
    f[DOB] = format!("{:04}{:02}{:02}", dob.year(), dob.month(), dob.day());
    let ssn = loop {
        let s = 1_000_000 + rng.below(9_000_000) as u32;
        if ssns.insert(s) {
            break s;
        }
    };
    f[SSN] = ssn.to_string();
    f
}

/// Street number, address, suburb, postcode and state of a new household.
fn set_household(rng: &mut Rng, t: &Tables, f: &mut Fields) {
    let number = match rng.below(100) {
        0..=59 => 1 + rng.below(50),
        60..=84 => 51 + rng.below(150),
        _ => 201 + rng.below(800),
    };
    f[STREET_NUMBER] = number.to_string();
    let street = t.streets.draw(rng);
    let types: Vec<u64> = STREET_TYPES.iter().map(|s| s.2).collect();
    f[ADDRESS_1] = format!("{street} {}", STREET_TYPES[rng.weighted(&types)].0);
    f[ADDRESS_2] = match rng.below(100) {
        0..=54 => {
            let stem = t.places.draw(rng);
            if rng.chance(0.5) {
                format!("{stem} {}", rng.pick(&t.place_suffixes))
            } else {
                stem.to_string()
            }
        }
        _ => format!("{} {}", rng.pick(UNIT_WORDS), 1 + rng.below(40)),
    };
    let suburb = &t.suburbs[t.suburb_freq.draw(rng)];
    f[SUBURB] = suburb.name.clone();
    f[POSTCODE] = suburb.postcode.clone();
    f[STATE] = suburb.state.to_string();
}

/// Another member of `of`'s household: same surname and address, own given name, birth date and
/// number.
fn household_member(rng: &mut Rng, t: &Tables, ssns: &mut HashSet<u32>, of: &Fields) -> Fields {
    let mut f = new_person(rng, t, ssns);
    // A different given name: two Johns in one house are possible, but not what this models.
    while f[GIVEN] == of[GIVEN] {
        f[GIVEN] = if rng.chance(0.5) {
            t.female.draw(rng).to_string()
        } else {
            t.male.draw(rng).to_string()
        };
    }
    for k in [
        SURNAME,
        STREET_NUMBER,
        ADDRESS_1,
        ADDRESS_2,
        SUBURB,
        POSTCODE,
        STATE,
    ] {
        f[k].clone_from(&of[k]);
    }
    f
}

/// Builds the files. Deterministic for `spec`.
pub fn generate(spec: &PeopleSpec) -> PeopleData {
    let mut rng = Rng(spec.seed);
    let tables = Tables::new(&mut rng);
    let mut ssns: HashSet<u32> = HashSet::new();
    let n = spec.originals;

    // Originals, complete; then their missing values (a household member copies the full record).
    let mut originals: Vec<Fields> = Vec::with_capacity(n);
    for i in 0..n {
        let person = if i > 0 && rng.chance(HOUSEHOLD_SHARE) {
            let of = originals[rng.index(i)].clone();
            household_member(&mut rng, &tables, &mut ssns, &of)
        } else {
            new_person(&mut rng, &tables, &mut ssns)
        };
        originals.push(person);
    }
    let mut reference: Vec<Fields> = originals.clone();
    for f in &mut reference {
        for (k, p) in ORIGINAL_MISSING.iter().enumerate() {
            if rng.chance(p / 100.0) {
                f[k].clear();
            }
        }
    }

    // Documents: a duplicate of exactly round(0.9 n) originals, chosen by selection sampling,
    // plus round(0.1 n) people in no reference row; shuffled.
    let mut documents: Vec<(Fields, Option<usize>)> = Vec::new();
    let mut to_pick = (n as f64 * DUPLICATED_SHARE).round() as u64;
    for (i, f) in reference.iter().enumerate() {
        if rng.below((n - i) as u64) < to_pick {
            to_pick -= 1;
            documents.push((corrupt(&mut rng, &tables, f), Some(i)));
        }
    }
    let unmatched = (n as f64 * UNMATCHED_SHARE).round() as usize;
    for _ in 0..unmatched {
        let mut f = if n > 0 && rng.chance(UNMATCHED_HOUSEHOLD_SHARE) {
            let of = originals[rng.index(n)].clone();
            household_member(&mut rng, &tables, &mut ssns, &of)
        } else {
            new_person(&mut rng, &tables, &mut ssns)
        };
        for (k, p) in ORIGINAL_MISSING.iter().enumerate() {
            if rng.chance(p / 100.0) {
                f[k].clear();
            }
        }
        documents.push((corrupt(&mut rng, &tables, &f), None));
    }
    shuffle(&mut rng, &mut documents);

    let mut reference_w = csv_writer();
    let _ = reference_w.write_record(COLUMNS);
    for (i, f) in reference.iter().enumerate() {
        write_row(&mut reference_w, &format!("a_{}", i + 1), f);
    }
    let mut documents_w = csv_writer();
    let mut truth_w = csv_writer();
    let _ = documents_w.write_record(COLUMNS);
    let _ = truth_w.write_record(TRUTH_COLUMNS);
    for (j, (mut f, original)) in documents.into_iter().enumerate() {
        let id = format!("b_{}", j + 1);
        if rng.chance(SLASH_DATE_SHARE) {
            f[DOB] = slash_date(&f[DOB]);
        }
        write_row(&mut documents_w, &id, &f);
        let target = original.map(|i| format!("a_{}", i + 1)).unwrap_or_default();
        let _ = truth_w.write_record([id.as_str(), target.as_str()]);
    }
    PeopleData {
        reference_csv: finish(reference_w),
        documents_csv: finish(documents_w),
        truth_csv: finish(truth_w),
    }
}

fn write_row(w: &mut csv::Writer<Vec<u8>>, id: &str, f: &Fields) {
    let _ = w.write_record(std::iter::once(id).chain(f.iter().map(String::as_str)));
}

/// `YYYYMMDD` as `DD/MM/YYYY`; anything else (blank) as it is. Works on the digits, so a date a
/// typo made impossible stays impossible in either form.
fn slash_date(yyyymmdd: &str) -> String {
    if yyyymmdd.len() == 8 && yyyymmdd.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}/{}/{}", &yyyymmdd[6..8], &yyyymmdd[4..6], &yyyymmdd[..4])
    } else {
        yyyymmdd.to_string()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::in_memory::match_all;
    use crate::score;
    use engine::index::ReferenceIndex;
    use engine::progress::NoProgress;
    use engine::run::{complete_bands, ExecOptions, MatchPlan, RejectedPairs, RunInput};
    use engine::{CancelToken, Document, DocumentMatch, Record};
    use import::{read_csv_bytes, ImportOptions, Table};

    fn table(name: &str, csv: &str) -> Table {
        read_csv_bytes(name, csv.as_bytes(), &ImportOptions::default()).unwrap()
    }

    fn spec(originals: usize, seed: u64) -> PeopleSpec {
        PeopleSpec { originals, seed }
    }

    #[test]
    fn same_seed_same_output_other_seed_other_output() {
        let a = generate(&spec(500, 7));
        let b = generate(&spec(500, 7));
        let c = generate(&spec(500, 8));
        assert_eq!(a.reference_csv, b.reference_csv);
        assert_eq!(a.documents_csv, b.documents_csv);
        assert_eq!(a.truth_csv, b.truth_csv);
        assert_ne!(a.reference_csv, c.reference_csv);
        assert_ne!(a.documents_csv, c.documents_csv);
    }

    #[test]
    fn counts_headers_and_unmatched_share() {
        let data = generate(&spec(2000, 1));
        let a = table("a.csv", &data.reference_csv);
        let b = table("b.csv", &data.documents_csv);
        let truth = table("truth.csv", &data.truth_csv);
        assert_eq!(a.columns, COLUMNS);
        assert_eq!(b.columns, COLUMNS);
        assert_eq!(truth.columns, TRUTH_COLUMNS);
        assert_eq!(a.rows.len(), 2000);
        assert_eq!(b.rows.len(), 1800 + 200);
        assert_eq!(truth.rows.len(), b.rows.len());
        let unmatched = truth.rows.iter().filter(|t| t[1].is_empty()).count();
        assert_eq!(unmatched, 200);
        let share = unmatched as f64 / truth.rows.len() as f64;
        assert!((0.09..=0.11).contains(&share), "{share}");
    }

    #[test]
    fn truth_targets_exist_once_and_rows_align() {
        let data = generate(&spec(1500, 3));
        let a = table("a.csv", &data.reference_csv);
        let b = table("b.csv", &data.documents_csv);
        let truth = table("truth.csv", &data.truth_csv);
        let ids: HashSet<&str> = a.rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(ids.len(), a.rows.len());
        let mut targets = HashSet::new();
        for (t, doc) in truth.rows.iter().zip(&b.rows) {
            assert_eq!(t[0], doc[0]);
            if !t[1].is_empty() {
                assert!(ids.contains(t[1].as_str()), "{}", t[1]);
                // One duplicate per original.
                assert!(targets.insert(t[1].clone()), "{}", t[1]);
            }
        }
    }

    #[test]
    fn common_names_repeat_and_soc_sec_ids_are_unique() {
        let data = generate(&spec(5000, 2));
        let a = table("a.csv", &data.reference_csv);
        let mut names: HashMap<(String, String), usize> = HashMap::new();
        for r in &a.rows {
            if !r[1].is_empty() && !r[2].is_empty() {
                *names.entry((r[1].clone(), r[2].clone())).or_default() += 1;
            }
        }
        let repeated = names.values().filter(|&&c| c > 1).count();
        assert!(repeated > 50, "{repeated}");
        let smiths = a.rows.iter().filter(|r| r[2] == "smith").count();
        assert!((50..=250).contains(&smiths), "{smiths}");
        let given: HashSet<&str> = a.rows.iter().map(|r| r[1].as_str()).collect();
        let surnames: HashSet<&str> = a.rows.iter().map(|r| r[2].as_str()).collect();
        assert!(given.len() > 200 && surnames.len() > 250);
        let ssns: HashSet<&str> = a.rows.iter().map(|r| r[10].as_str()).collect();
        assert_eq!(ssns.len(), a.rows.len());
        // Households: people sharing surname and address.
        let mut homes: HashMap<(&str, &str, &str, &str), usize> = HashMap::new();
        for r in &a.rows {
            *homes.entry((&r[2], &r[3], &r[4], &r[6])).or_default() += 1;
        }
        let shared = homes.values().filter(|&&c| c > 1).count();
        assert!(shared > 200, "{shared}");
    }

    #[test]
    fn tables_have_no_repeats() {
        let mut given = list(MALE_NAMES);
        given.extend(list(FEMALE_NAMES));
        let suburbs: Vec<&str> = real_suburbs().into_iter().map(|s| s.0).collect();
        for (what, items) in [
            ("given names", given),
            ("surnames", list(SURNAMES)),
            ("suburbs", suburbs),
            ("places", list(PLACE_STEMS)),
        ] {
            let set: HashSet<&str> = items.iter().copied().collect();
            assert_eq!(set.len(), items.len(), "{what} repeat");
            assert!(items.len() >= 60, "{what}: {}", items.len());
        }
        assert_eq!(real_suburbs().len(), 119);
        assert!(real_suburbs()
            .iter()
            .all(|s| STATES.iter().any(|t| t.0 == s.1)));
    }

    /// The duplicates look like FEBRL's: one to three fields changed, a tenth to a fifth with a
    /// value blanked, both date styles, and every kind of change present.
    #[test]
    fn duplicates_are_corrupted_like_febrl() {
        let data = generate(&spec(4000, 5));
        let a = table("a.csv", &data.reference_csv);
        let b = table("b.csv", &data.documents_csv);
        let truth = table("truth.csv", &data.truth_csv);
        let by_id: HashMap<&str, &Vec<String>> =
            a.rows.iter().map(|r| (r[0].as_str(), r)).collect();
        let (mut pairs, mut blanked, mut slash, mut swapped_dates) = (0, 0, 0, 0);
        let (mut nicknames, mut swapped_names, mut unchanged) = (0, 0, 0);
        // By how many fields a duplicate differs: 1, 2, 3, 4 (a name swap changes two) or more.
        let mut changed_fields = [0usize; 5];
        for (t, doc) in truth.rows.iter().zip(&b.rows) {
            let Some(orig) = by_id.get(t[1].as_str()) else {
                continue;
            };
            pairs += 1;
            let mut dob = doc[9].clone();
            if dob.contains('/') {
                slash += 1;
                let p: Vec<&str> = dob.split('/').collect();
                dob = format!("{}{}{}", p[2], p[1], p[0]);
            }
            let differing = (1..11)
                .filter(|&k| {
                    if k == 9 {
                        dob != orig[9]
                    } else {
                        doc[k] != orig[k]
                    }
                })
                .count();
            if differing == 0 {
                unchanged += 1;
            } else {
                changed_fields[differing.min(5) - 1] += 1;
            }
            blanked += usize::from((1..11).any(|k| doc[k].is_empty() && !orig[k].is_empty()));
            if dob.len() == 8 && orig[9].len() == 8 && dob[..4] == orig[9][..4] {
                swapped_dates +=
                    usize::from(dob[4..6] == orig[9][6..8] && dob[6..8] == orig[9][4..6]);
            }
            nicknames += usize::from(
                NICKNAMES
                    .iter()
                    .any(|(n, short)| orig[1] == *n && short.contains(&doc[1].as_str())),
            );
            swapped_names += usize::from(doc[1] == orig[2] && doc[2] == orig[1]);
        }
        assert_eq!(pairs, 3600);
        assert_eq!(unchanged, 0);
        // Three changes at most; only a swap of given name and surname changes two fields at once.
        assert_eq!(changed_fields[4], 0, "{changed_fields:?}");
        assert!(changed_fields[3] < pairs / 50, "{changed_fields:?}");
        assert!(changed_fields[0] > pairs / 3, "{changed_fields:?}");
        assert!(changed_fields[2] > pairs / 10, "{changed_fields:?}");
        let blanked = blanked as f64 / pairs as f64;
        assert!((0.10..=0.20).contains(&blanked), "{blanked}");
        let slash = slash as f64 / pairs as f64;
        assert!((0.2..=0.4).contains(&slash), "{slash}");
        assert!(swapped_dates > 10, "{swapped_dates}");
        assert!(nicknames > 10, "{nicknames}");
        assert!(swapped_names > 3, "{swapped_names}");
    }

    #[test]
    fn values_are_well_formed() {
        use engine::parse::{parse_date, parse_date_with, DateOrder};
        let data = generate(&spec(1000, 11));
        let a = table("a.csv", &data.reference_csv);
        let states: HashSet<&str> = STATES.iter().map(|s| s.0).collect();
        for r in &a.rows {
            assert!(r[1..]
                .iter()
                .all(|v| v.is_ascii() && *v == v.to_lowercase()));
            assert!(r[10].len() == 7 && r[10].bytes().all(|b| b.is_ascii_digit()));
            assert!(r[7].len() == 4 && r[7].bytes().all(|b| b.is_ascii_digit()));
            assert!(
                r[8].is_empty() || states.contains(r[8].as_str()),
                "{}",
                r[8]
            );
            if !r[9].is_empty() {
                assert_eq!(r[9].len(), 8);
                assert!(parse_date(&r[9]).is_some(), "{}", r[9]);
            }
        }
        // Most document dates parse, read day first; typos make a few impossible, as in FEBRL.
        let b = table("b.csv", &data.documents_csv);
        let dated: Vec<&str> = b
            .rows
            .iter()
            .map(|r| r[9].as_str())
            .filter(|d| !d.is_empty())
            .collect();
        let parsed = dated
            .iter()
            .filter(|d| parse_date_with(d, Some(DateOrder::DayFirst)).is_some())
            .count();
        assert!(
            parsed as f64 > 0.95 * dated.len() as f64,
            "{parsed} of {}",
            dated.len()
        );
    }

    #[test]
    fn small_and_degenerate_specs_do_not_panic() {
        for n in [0, 1, 2, 3, 10] {
            let data = generate(&spec(n, 0));
            let a = table("a.csv", &data.reference_csv);
            let truth = table("truth.csv", &data.truth_csv);
            assert_eq!(a.rows.len(), n);
            assert_eq!(
                truth.rows.len(),
                (n as f64 * 0.9).round() as usize + (n as f64 * 0.1).round() as usize
            );
        }
    }

    /// The config in docs/configs/people.json is one a user could write: it passes validation, and
    /// on data it was not tuned on it finds the duplicates with F1 above 0.99.
    #[test]
    fn documented_config_matches_people() {
        use crate::in_memory::ConfigFile;
        use engine::domain::ConfigInput;
        use engine::validate::validate_config;
        use import::{to_documents, to_records};

        let config: ConfigFile =
            serde_json::from_str(include_str!("../../../../docs/configs/people.json")).unwrap();
        let columns: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
        let input = ConfigInput {
            name: "People".into(),
            reference_data_id: "people".into(),
            document_set_id: None,
            field_mappings: config.field_mappings.clone(),
            threshold: Some(config.threshold),
            review_floor: config.review_floor,
            one_to_one: config.one_to_one,
            schedule: None,
            blocking_keys: None,
            blocking_strategy: None,
        };
        validate_config(&input, &columns, Some(&columns)).unwrap();

        let data = generate(&spec(2000, 42));
        let reference = to_records(&table("a.csv", &data.reference_csv), Some("rec_id")).unwrap();
        let documents =
            to_documents(&table("b.csv", &data.documents_csv), Some("rec_id"), None).unwrap();
        let truth = score::parse_truth(data.truth_csv.as_bytes(), "truth.csv").unwrap();
        let plan = config.plan(&columns, &columns).unwrap();
        // No field filters candidates: a birth date typo must not hide the right person.
        assert!(plan.filter_field_names().is_empty());
        let (matches, _) = match_all(&plan, &reference, &documents);
        let evaluation = score::evaluate(&truth, &score::predictions_of_matches(&matches));
        let f1 = evaluation.top1.f1.unwrap();
        assert!(f1 > 0.99, "F1 {f1:.4}: {:?}", evaluation.top1.counts);
    }

    /// The documented config minus the social security number (issue 13's case: no id-like
    /// column), planned for generated people of `seed`, with their reference rows and documents.
    fn without_id_column(
        n: usize,
        seed: u64,
    ) -> (MatchPlan, Vec<Record>, Vec<Document>, Vec<score::TruthRow>) {
        use crate::in_memory::ConfigFile;
        use import::{to_documents, to_records};

        let mut config: ConfigFile =
            serde_json::from_str(include_str!("../../../../docs/configs/people.json")).unwrap();
        config.field_mappings.retain(|m| m.source != "soc_sec_id");
        let columns: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
        let plan = config.plan(&columns, &columns).unwrap();
        let data = generate(&spec(n, seed));
        let reference = to_records(&table("a.csv", &data.reference_csv), Some("rec_id")).unwrap();
        let documents =
            to_documents(&table("b.csv", &data.documents_csv), Some("rec_id"), None).unwrap();
        let truth = score::parse_truth(data.truth_csv.as_bytes(), "truth.csv").unwrap();
        (plan, reference, documents, truth)
    }

    /// Candidate search without an id-like column keeps what comparing every pair finds, on data
    /// of another seed.
    #[test]
    fn candidate_search_keeps_the_matches_of_the_config_without_an_id_column() {
        let (plan, reference, documents, _) = without_id_column(1500, 11);
        let recall = engine::run::blocking_recall(&plan, &reference, &documents);
        assert!(recall.exhaustive_matches > 1000, "{recall:?}");
        assert!(recall.recall() >= 0.999, "{recall:?}");
        // A few dozen pairs per document, not the whole reference.
        assert!(
            recall.pairs_blocked < 60 * recall.documents,
            "{} pairs for {} documents",
            recall.pairs_blocked,
            recall.documents
        );
        // As the product runs: matched documents searched only as far as the threshold.
        let lazy = engine::run::blocking_recall(
            &plan.clone().with_band_on_demand(true),
            &reference,
            &documents,
        );
        assert!(lazy.recall() >= 0.999, "{lazy:?}");
    }

    /// A run that leaves matched documents' review bands to be filled on reading makes the
    /// matches of one searching every document down to the floor, as accurately, and filling a
    /// band (as the first read does) gives what that search found.
    #[test]
    fn bands_filled_on_reading_are_those_of_the_search_down_to_the_floor() {
        let (plan, reference, documents, truth) = without_id_column(1500, 12);
        // Each document on its own: one-to-one would hide a difference behind reassignment.
        let plan = plan.with_one_to_one(false);
        let (full, _) = match_all(&plan, &reference, &documents);
        let (lazy, _) = match_all(
            &plan.clone().with_band_on_demand(true),
            &reference,
            &documents,
        );
        assert_eq!(full.len(), lazy.len());
        assert!(full.iter().all(|m| m.band_complete));
        let f1 = |m: &[DocumentMatch]| {
            (score::evaluate(&truth, &score::predictions_of_matches(m)).top1)
                .f1
                .unwrap()
        };
        assert!(
            f1(&lazy) >= f1(&full) - 0.001,
            "{} against {}",
            f1(&lazy),
            f1(&full)
        );
        // Neither search compares every pair: a row another pass happens to reach can change a
        // borderline match (79 of 100,000 documents on people 100k, nearly all without a true
        // match), and no more than that.
        let differ = (full.iter().zip(&lazy))
            .filter(|(f, l)| f.matched_reference_row_id != l.matched_reference_row_id)
            .count();
        assert!(differ * 200 <= documents.len(), "{differ} matches differ");
        let mut open = Vec::new();
        for (f, l) in full.iter().zip(&lazy) {
            assert_eq!(f.document_id, l.document_id);
            // Only a match ends the search at the threshold; a document without one was
            // searched down to the floor as well.
            assert!(l.band_complete || l.matched_reference_row_id.is_some());
            if !l.band_complete {
                open.push(documents.iter().find(|d| d.document_id == l.document_id));
            }
        }
        assert!(open.len() > 1000, "{} matched", open.len());
        let open: Vec<Document> = open.into_iter().flatten().cloned().collect();
        let cancel = CancelToken::new();
        let index = ReferenceIndex::build(&plan, &reference, &NoProgress, &cancel).unwrap();
        let input = RunInput {
            plan: &plan,
            reference: &reference,
            rejected: &RejectedPairs::new(),
        };
        // The run's first chunk decided how dates read.
        let sample = &documents[..ExecOptions::default().chunk_size.min(documents.len())];
        let filled = complete_bands(&input, &index, sample, &open);
        let mut in_band = 0;
        for m in &filled {
            let f = full
                .iter()
                .find(|f| f.document_id == m.document_id)
                .unwrap();
            assert_eq!(m.matched_reference_row_id, f.matched_reference_row_id);
            // Comparisons candidate search cached for scoring are single precision.
            let same = m.candidates.len() == f.candidates.len()
                && (m.candidates.iter().zip(&f.candidates)).all(|(x, y)| {
                    x.reference_row_id == y.reference_row_id
                        && (x.confidence - y.confidence).abs() < 1e-6
                        && x.evidence.len() == y.evidence.len()
                });
            assert!(same, "{}", m.document_id);
            in_band += in_band_alternatives(m);
        }
        // The bands hold alternatives the lazy run did not look for.
        let lazy_alternatives: usize = (lazy.iter())
            .filter(|m| !m.band_complete)
            .map(in_band_alternatives)
            .sum();
        assert!(
            in_band > lazy_alternatives,
            "{in_band} against {lazy_alternatives}"
        );
    }

    /// A result's candidates after the first at or above the review floor of docs/configs/people.json.
    fn in_band_alternatives(m: &DocumentMatch) -> usize {
        (m.candidates.iter().skip(1))
            .filter(|c| c.confidence >= 0.3 - 1e-12)
            .count()
    }

    /// Writes generated files for a tuning loop with `examples/match_files`:
    /// `PEOPLE_OUT=/tmp/people PEOPLE_N=5000 PEOPLE_SEEDS=1,2,3 cargo test -p datagen --lib
    /// people::tests::write_files -- --ignored` makes `/tmp/people_s1_reference.csv`,
    /// `_documents.csv` and `_truth.csv` per seed.
    #[test]
    #[ignore]
    fn write_files() {
        let out = std::env::var("PEOPLE_OUT").unwrap_or_else(|_| "/tmp/people".into());
        let n: usize = std::env::var("PEOPLE_N")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(5000);
        let seeds = std::env::var("PEOPLE_SEEDS").unwrap_or_else(|_| "1,2,3".into());
        for seed in seeds
            .split(',')
            .filter_map(|s| s.trim().parse::<u64>().ok())
        {
            let data = generate(&spec(n, seed));
            for (name, text) in [
                ("reference", &data.reference_csv),
                ("documents", &data.documents_csv),
                ("truth", &data.truth_csv),
            ] {
                std::fs::write(format!("{out}_s{seed}_{name}.csv"), text).unwrap();
            }
        }
    }
}
