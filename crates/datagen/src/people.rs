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

use crate::rng::Rng;
use std::collections::HashSet;
use std::fmt::Write as _;

use chrono::{Datelike, Days, NaiveDate};

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
const MALE_NAMES: &str =
    "john, david, michael, peter, robert, paul, james, mark, andrew, stephen, christopher, \
    william, richard, matthew, daniel, thomas, anthony, brian, joshua, benjamin, jack, lachlan, \
    ryan, nicholas, luke, samuel, jason, scott, kevin, gary, ian, graham, wayne, craig, adam, \
    timothy, patrick, simon, shane, brett, darren, glenn, kenneth, geoffrey, raymond, alan, \
    ronald, bruce, keith, trevor, colin, barry, neil, ross, russell, grant, dean, troy, aaron, \
    nathan, jacob, liam, dylan, ethan, oliver, noah, harrison, cooper, riley, jayden, mitchell, \
    jordan, blake, tyler, connor, callum, jake, alexander, charles, edward, henry, george, \
    frederick, harold, arthur, albert, ernest, leslie, douglas, gordon, donald, norman, stanley, \
    frank, joseph, francis, lawrence, gregory, phillip, vincent, dennis, terence, jeffrey, \
    brendan, sean, kieran, declan, aidan, angus, hamish, fraser, marcus, lucas, isaac, zachary, \
    jesse, kyle, cameron, bradley, jarrod, joel, travis, dale, rodney, murray, allan, max, leo, \
    archie, hugo, finn, jasper, xavier, sebastian, tristan, owen, rhys, marc, carl, eric, bryan, \
    shaun, toby, elijah, caleb, harry, jonathan, stuart, warren, clinton, jarrah, kane, lincoln, \
    nigel";
const FEMALE_NAMES: &str =
    "mary, margaret, susan, jennifer, karen, elizabeth, patricia, sarah, jessica, emily, \
    michelle, lisa, julie, helen, catherine, kathryn, christine, anne, jane, rebecca, rachel, \
    emma, olivia, chloe, sophie, charlotte, ella, grace, hannah, lauren, amy, nicole, kylie, \
    melissa, natalie, kimberley, amanda, louise, joanne, deborah, kerry, linda, barbara, \
    dorothy, joan, betty, shirley, jean, heather, wendy, lynette, robyn, gail, denise, leanne, \
    tracey, donna, sharon, tania, belinda, kristy, renee, danielle, stephanie, samantha, \
    alexandra, victoria, isabella, mia, ava, zoe, ruby, matilda, georgia, madison, jasmine, \
    caitlin, bethany, courtney, brooke, tayla, jade, megan, alice, lucy, isabelle, eleanor, \
    abigail, amelia, evie, harriet, imogen, scarlett, holly, jacqueline, gabrielle, madeleine, \
    penelope, josephine, caroline, teresa, rose, ruth, judith, valerie, beverley, pamela, carol, \
    diane, janet, june, irene, maureen, marjorie, doris, edna, elsie, florence, ivy, violet, \
    gladys, vera, kate, natasha, vanessa, monique, bianca, sienna, chelsea, erin, tahlia, \
    mikayla, paige, claire, sara, leigh, kirsten, meghan, ashley, tegan, stacey, naomi, julia, \
    anna, laura, fiona, rhiannon, shannon, melanie, andrea, tamara, yvonne";
const SURNAMES: &str =
    "smith, jones, williams, brown, wilson, taylor, johnson, white, martin, anderson, thompson, \
    nguyen, thomas, walker, harris, lee, ryan, robinson, kelly, king, davis, wright, evans, \
    roberts, green, hall, wood, jackson, clarke, patel, khan, lewis, james, phillips, mitchell, \
    turner, watson, young, scott, edwards, hughes, campbell, cooper, allen, morris, baker, \
    murphy, miller, moore, clark, stewart, robertson, ward, hill, walsh, cook, bennett, \
    johnston, collins, hunt, gray, murray, bell, hamilton, graham, reid, morgan, fraser, wang, \
    chen, li, zhang, lim, tran, le, pham, singh, kaur, shaw, kennedy, ross, mason, watts, \
    richardson, carter, matthews, russell, price, marshall, webb, ellis, barnes, simpson, \
    palmer, lloyd, dixon, harvey, hunter, henderson, sullivan, quinn, obrien, byrne, mcdonald, \
    mackenzie, macleod, mcintosh, mclean, ferguson, duncan, gordon, burns, black, grant, \
    wallace, hay, boyd, crawford, kerr, munro, paterson, sinclair, sutherland, cameron, douglas, \
    forbes, gibson, hogan, lynch, doyle, brennan, fitzgerald, gallagher, kavanagh, maher, nolan, \
    oconnor, power, quigley, regan, sheehan, tobin, whelan, brady, burke, casey, daly, dunne, \
    farrell, flynn, foley, hayes, keane, kenny, lane, lyons, mahoney, moran, mullins, nash, \
    oneill, riley, shannon, sweeney, wilkinson, harrison, atkinson, bailey, barker, bates, \
    baxter, bird, bishop, booth, bradley, brooks, butler, chapman, cole, cox, cross, dawson, \
    day, dean, fisher, fletcher, ford, foster, fox, gardner, gibbs, gill, goodwin, hart, \
    hawkins, hayward, holmes, hopkins, howard, hudson, jenkins, knight, lambert, lawrence, \
    marsh, mills, newman, nicholson, norton, owen, parker, parsons, pearce, perry, porter, \
    potter, read, rees, rhodes, rogers, rose, sharp, stevens, stone, thomson, tucker, wade, \
    walters, warren, weston, wheeler, whyte, willis, woods, yates, rossi, russo, romano, \
    colombo, ricci, marino, greco, bruno, gallo, conti, costa, giordano, mancini, rizzo, \
    lombardi, moretti, papadopoulos, nikolaidis, georgiou, dimitriou, kowalski, nowak, novak, \
    horvat, kovac, petrovic, jovanovic, schmidt, schneider, fischer, weber, meyer, wagner, \
    becker, schulz, hoffmann, koch, richter, neumann, schwarz, zimmermann, braun, kruger, \
    hartmann, lange, werner, krause, lehmann, kaiser, fuchs, vogel, jansen, dejong, devries, \
    bakker, visser, smit, mulder, bos, vos, dekker, hansen, nielsen, jensen, pedersen, larsen, \
    olsen, andersen, christensen, eriksson, lindqvist, nilsson, karlsson, wong, chan, ho, \
    cheung, lau, leung, huang, zhou, wu, xu, sun, ma, zhu, hu, guo, lin, kim, park, choi, jung, \
    kang, cho, yoon, sharma, kumar, gupta, das, reddy, ali, ahmed, hussain, rahman, hassan";
/// Street names besides surnames, which streets are often named after.
const STREET_STEMS: &str =
    "george, king, queen, victoria, elizabeth, william, church, high, main, station, park, \
    railway, bridge, hill, mill, market, albert, edward, charles, macquarie, pitt, collins, \
    bourke, flinders, swanston, lonsdale, spencer, wattle, banksia, acacia, waratah, jacaranda, \
    grevillea, boronia, kurrajong, myrtle, melaleuca, casuarina, blackwood, ironbark, \
    stringybark, river, lake, ocean, beach, bay, harbour, ridge, valley, forest, glen, pine, \
    oak, cedar, elm, maple, willow, poplar, birch, laurel, jarrah, karri, sunset, bellevue, \
    fairview, grandview, lakeview, brisbane, sydney, melbourne, adelaide, hobart, darwin, perth, \
    canberra, bathurst, goulburn, ballarat, bendigo, geelong, toowoomba, cairns, oxley, sturt, \
    hume, hovell, leichhardt, eyre, forrest, stirling, bradman, menzies, curtin, chifley, \
    deakin, barton, parkes, wentworth, blaxland, hawkesbury";
/// Street types with their abbreviations, by frequency.
const STREET_TYPES: &[(&str, &str, u64)] = &[
    ("street", "st", 38),
    ("road", "rd", 15),
    ("avenue", "ave", 9),
    ("place", "pl", 9),
    ("crescent", "cres", 8),
    ("drive", "dr", 7),
    ("court", "ct", 4),
    ("close", "cl", 4),
    ("circuit", "cct", 4),
    ("parade", "pde", 2),
];
/// Property, building and village names for address_2.
const PLACE_STEMS: &str =
    "rosedale, kelgoola, sunnyside, glenview, hillcrest, riverside, woodlands, greenacres, \
    fernleigh, bayview, lakeside, brookfield, oakleigh, warrawee, allambee, binnaway, coolabah, \
    wirrimbi, yarrabee, kooringal, bundarra, mirrabooka, tallawong, wallaroo, burrawang, \
    koonwarra, narrabeen, avalind, miami, sorrento, whispering pines, five oaks, the willows, \
    stonyridge, ferndale, belmont, clovelly, edgecliff, yarrawonga, wildefell, campaspe, \
    bombowlee, donna valley, gold tyne, pinehill, springvale, hawthorn, mountain view, karingal, \
    wyuna, tathra, mooroolbark, illawong, jindalee, kirribilli, merrivale, brentwood, glengarry, \
    strathmore, craigmore";
const PLACE_SUFFIXES: &str =
    "farm, park, house, lodge, estate, gardens, village, court, manor, towers, cottage, station";
const UNIT_WORDS: &[&str] = &["unit", "flat", "villa", "apartment", "lot"];
/// Real suburb and town names, each with its state.
const SUBURBS: &str =
    "nsw: paddington, parramatta, north ryde, bondi, manly, chatswood, hornsby, penrith, \
    liverpool, blacktown, campbelltown, newtown, marrickville, randwick, cronulla, dapto, \
    gorokan, budgewoi, winston hills, bonnyrigg, crows nest, mittagong, goonellabah, west \
    wyalong, south grafton, wagga wagga, dubbo, orange, tamworth, armidale, lismore, port \
    macquarie, coffs harbour, maitland, cessnock, kiama, nowra, bega, albury, broken hill; vic: \
    richmond, st kilda, brunswick, footscray, hoppers crossing, mill park, thornbury, vermont, \
    elwood, chelsea heights, roxburgh park, canterbury, frankston, dandenong, ballarat east, \
    bendigo, geelong west, mildura, shepparton, warrnambool, traralgon, wodonga, sunbury, \
    werribee; qld: toowong, richlands, daisy hill, carrara, coombabah, nambour, beaudesert, \
    manunda, north ward, woongarra, tallebudgera, tolga, broadbeach waters, forest hill, \
    indooroopilly, kenmore, caboolture, ipswich, gympie, bundaberg, rockhampton, mackay, \
    townsville, cairns north, toowoomba, hervey bay; wa: nedlands, fremantle, scarborough, \
    joondalup, rockingham, mandurah, bunbury, geraldton, kalgoorlie, albany; sa: glenelg, \
    christies beach, norwood, unley, elizabeth, mount gambier, whyalla, port augusta, murray \
    bridge; tas: sandy bay, launceston, devonport, burnie; act: braddon, belconnen, tuggeranong, \
    kambah; nt: palmerston, casuarina";
/// Parts of generated suburb names ("glenbrook", "kings park").
const SUBURB_STARTS: &str =
    "glen, mount, north, east, west, south, port, lake, kings, spring, oak, green, pine, rose, \
    bell, black, white, red, wood, cherry, ash, elm, fair, clear";
const SUBURB_ENDS: &[&str] = &[
    "vale", "wood", "field", "ford", "ton", "dale", "bank", "hill", "hurst", "leigh", " park",
    "ridge", "brook", "haven", "burn", "more", " heights", " beach", " creek", " downs",
];
/// States by share of population (percent).
const STATES: &[(&str, u64)] = &[
    ("nsw", 32),
    ("vic", 26),
    ("qld", 20),
    ("wa", 10),
    ("sa", 7),
    ("tas", 2),
    ("act", 2),
    ("nt", 1),
];

/// Nicknames and short forms, as people give them on forms.
const NICKNAMES: &[(&str, &[&str])] = &[
    ("william", &["bill", "will", "billy"]),
    ("robert", &["bob", "rob", "bobby"]),
    ("richard", &["dick", "rick", "richie"]),
    ("james", &["jim", "jimmy", "jamie"]),
    ("john", &["jack", "johnny"]),
    ("michael", &["mike", "mick"]),
    ("thomas", &["tom", "tommy"]),
    ("christopher", &["chris", "kit"]),
    ("matthew", &["matt"]),
    ("daniel", &["dan", "danny"]),
    ("joseph", &["joe", "joey"]),
    ("david", &["dave", "davy"]),
    ("anthony", &["tony"]),
    ("andrew", &["andy", "drew"]),
    ("benjamin", &["ben", "benny"]),
    ("samuel", &["sam", "sammy"]),
    ("alexander", &["alex", "xander"]),
    ("nicholas", &["nick", "nicky"]),
    ("jonathan", &["jon", "jonny"]),
    ("edward", &["ed", "ted", "eddie"]),
    ("charles", &["charlie", "chuck"]),
    ("peter", &["pete"]),
    ("stephen", &["steve", "stevie"]),
    ("timothy", &["tim", "timmy"]),
    ("patrick", &["pat", "paddy"]),
    ("gregory", &["greg"]),
    ("kenneth", &["ken", "kenny"]),
    ("ronald", &["ron", "ronnie"]),
    ("donald", &["don", "donny"]),
    ("lawrence", &["larry", "laurie"]),
    ("frederick", &["fred", "freddie"]),
    ("harold", &["harry", "hal"]),
    ("henry", &["harry", "hank"]),
    ("zachary", &["zac", "zach"]),
    ("joshua", &["josh"]),
    ("nathan", &["nate"]),
    ("jacob", &["jake"]),
    ("gordon", &["gordie"]),
    ("douglas", &["doug"]),
    ("elizabeth", &["liz", "beth", "betty", "lizzie"]),
    ("margaret", &["maggie", "peggy", "meg"]),
    ("kathryn", &["kate", "kathy", "katie"]),
    ("catherine", &["cathy", "kate", "cath"]),
    ("jennifer", &["jenny", "jen"]),
    ("rebecca", &["becky", "bec"]),
    ("susan", &["sue", "suzie"]),
    ("deborah", &["deb", "debbie"]),
    ("patricia", &["pat", "trish", "patty"]),
    ("jessica", &["jess", "jessie"]),
    ("samantha", &["sam", "sammy"]),
    ("victoria", &["vicky", "tori"]),
    ("alexandra", &["alex", "lexi", "sandra"]),
    ("kimberley", &["kim"]),
    ("christine", &["chris", "chrissy"]),
    ("barbara", &["barb", "babs"]),
    ("dorothy", &["dot", "dottie"]),
    ("abigail", &["abby"]),
    ("stephanie", &["steph"]),
    ("jacqueline", &["jackie"]),
    ("madeleine", &["maddie"]),
    ("penelope", &["penny"]),
    ("josephine", &["jo", "josie"]),
];
/// Spellings of one name that sound alike; a name may be written as any other of its group.
const PHONETIC_GROUPS: &[&[&str]] = &[
    &["catherine", "katherine", "kathryn", "cathryn"],
    &["stephen", "steven"],
    &["sean", "shaun", "shawn"],
    &["phillip", "philip", "filip"],
    &["jeffrey", "geoffrey", "jeffery"],
    &["brian", "bryan"],
    &["carl", "karl"],
    &["eric", "erik"],
    &["matthew", "mathew"],
    &["nicholas", "nicolas"],
    &["sarah", "sara"],
    &["anne", "ann"],
    &["hannah", "hanna"],
    &["leigh", "lee"],
    &["rebecca", "rebekah"],
    &["teresa", "theresa"],
    &["kirsten", "kirstin"],
    &["caitlin", "kaitlyn", "katelyn"],
    &["megan", "meghan"],
    &["zoe", "zoey"],
    &["chloe", "khloe"],
    &["ashley", "ashleigh"],
    &["isabelle", "isabel", "isobel"],
    &["claire", "clare"],
    &["jasmine", "jazmin"],
    &["madison", "maddison"],
    &["tracey", "tracy"],
    &["marc", "mark"],
    &["alan", "allan", "allen"],
    &["neil", "neal"],
    &["graham", "graeme"],
    &["rhys", "reece"],
    &["smith", "smyth", "smythe"],
    &["thompson", "thomson"],
    &["clark", "clarke"],
    &["brown", "browne"],
    &["reid", "reed", "read"],
    &["mcdonald", "macdonald"],
    &["mackenzie", "mckenzie"],
    &["stewart", "stuart"],
    &["phillips", "philips"],
    &["gray", "grey"],
    &["davis", "davies"],
    &["anderson", "andersen"],
    &["fisher", "fischer"],
    &["meyer", "meier", "myer"],
    &["macleod", "mcleod"],
    &["mclean", "maclean"],
    &["white", "whyte"],
    &["hansen", "hanson"],
];
/// Spelling rules that keep the sound (from, to), FEBRL's phonetic errors in small.
const PHONETIC_RULES: &[(&str, &str)] = &[
    ("ph", "f"),
    ("f", "ph"),
    ("ck", "k"),
    ("k", "ck"),
    ("c", "k"),
    ("y", "i"),
    ("i", "y"),
    ("ie", "y"),
    ("ey", "y"),
    ("ee", "ea"),
    ("ea", "ee"),
    ("ll", "l"),
    ("tt", "t"),
    ("nn", "n"),
    ("ss", "s"),
    ("l", "ll"),
    ("t", "tt"),
    ("s", "z"),
    ("z", "s"),
    ("ou", "ow"),
    ("ai", "ay"),
    ("gh", "g"),
    ("mc", "mac"),
    ("mac", "mc"),
];
/// Characters a scanner confuses (from, to).
const OCR_CONFUSIONS: &[(&str, &str)] = &[
    ("m", "rn"),
    ("rn", "m"),
    ("w", "vv"),
    ("d", "cl"),
    ("cl", "d"),
    ("h", "b"),
    ("b", "h"),
    ("i", "l"),
    ("l", "i"),
    ("l", "1"),
    ("o", "0"),
    ("s", "5"),
    ("b", "6"),
    ("g", "9"),
    ("e", "c"),
    ("c", "e"),
    ("n", "ri"),
    ("u", "v"),
    ("0", "8"),
    ("8", "0"),
    ("1", "7"),
    ("7", "1"),
    ("5", "6"),
    ("6", "5"),
    ("3", "8"),
    ("8", "3"),
    ("4", "9"),
    ("9", "4"),
];
/// QWERTY neighbours of each key.
const KEY_NEIGHBOURS: &[(u8, &str)] = &[
    (b'q', "wa"),
    (b'w', "qeas"),
    (b'e', "wrsd"),
    (b'r', "etdf"),
    (b't', "ryfg"),
    (b'y', "tugh"),
    (b'u', "yihj"),
    (b'i', "uojk"),
    (b'o', "ipkl"),
    (b'p', "ol"),
    (b'a', "qwsz"),
    (b's', "awedxz"),
    (b'd', "serfcx"),
    (b'f', "drtgvc"),
    (b'g', "ftyhbv"),
    (b'h', "gyujnb"),
    (b'j', "huikmn"),
    (b'k', "jiolm"),
    (b'l', "kop"),
    (b'z', "asx"),
    (b'x', "zsdc"),
    (b'c', "xdfv"),
    (b'v', "cfgb"),
    (b'b', "vghn"),
    (b'n', "bhjm"),
    (b'm', "njk"),
    (b'1', "2"),
    (b'2', "13"),
    (b'3', "24"),
    (b'4', "35"),
    (b'5', "46"),
    (b'6', "57"),
    (b'7', "68"),
    (b'8', "79"),
    (b'9', "80"),
    (b'0', "9"),
];

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

fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::Writer::from_writer(Vec::new())
}

/// Writing into memory cannot fail, so errors are dropped rather than unwrapped.
fn finish(writer: csv::Writer<Vec<u8>>) -> String {
    let bytes = match writer.into_inner() {
        Ok(bytes) => bytes,
        Err(e) => e.into_inner().get_ref().clone(),
    };
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
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

/// A duplicate of `f` with one to three modifications (40 %, 35 %, 25 %).
fn corrupt(rng: &mut Rng, t: &Tables, f: &Fields) -> Fields {
    let mut out = f.clone();
    let modifications = 1 + rng.weighted(&[40, 35, 25]);
    let mut done = 0;
    // A modification that cannot apply (a blank field) is drawn again; the bound only guards
    // against a record with nothing left to modify.
    for _ in 0..50 {
        if done == modifications {
            break;
        }
        let field = rng.weighted(&MODIFY_FIELD_WEIGHTS);
        if modify(rng, t, &mut out, field) {
            done += 1;
        }
    }
    // Two modifications can cancel out (a name swap swapped back); a duplicate is never exact.
    for _ in 0..50 {
        if out != *f {
            break;
        }
        let field = rng.weighted(&MODIFY_FIELD_WEIGHTS);
        modify(rng, t, &mut out, field);
    }
    out
}

/// Applies one modification to `field`; false when it changed nothing.
fn modify(rng: &mut Rng, t: &Tables, f: &mut Fields, field: usize) -> bool {
    if f[field].is_empty() {
        return false;
    }
    let before = f[field].clone();
    let v = f[field].as_str();
    let new = match field {
        GIVEN | SURNAME => match modified_name(rng, t, v, field) {
            Some(new) => new,
            None => return swap_names(f),
        },
        STREET_NUMBER | ADDRESS_1 | ADDRESS_2 | SUBURB | POSTCODE | STATE => {
            modified_address(rng, v, field)
        }
        DOB => modified_date_of_birth(rng, v),
        _ => match rng.weighted(&[48, 25, 10, 12, 5]) {
            0 => digit_typo(rng, v),
            1 => transpose_any(rng, v),
            2 => insert_or_delete_digit(rng, v),
            3 => String::new(),
            _ => ocr(rng, v),
        },
    };
    f[field] = new;
    f[field] != before
}

/// A given name or surname modified; `None` when the draw is to swap the two names instead.
fn modified_name(rng: &mut Rng, t: &Tables, v: &str, field: usize) -> Option<String> {
    // Percent: typo, OCR, phonetic, nickname / new surname, blank, split, swap.
    Some(match rng.weighted(&[49, 8, 14, 10, 7, 8, 4]) {
        0 => typo(rng, v),
        1 => ocr(rng, v),
        2 => phonetic(rng, v),
        3 if field == GIVEN => nickname(rng, v),
        // A surname changed by marriage.
        3 => t.surnames.draw(rng).to_string(),
        4 => String::new(),
        5 => split_word(rng, v),
        _ => return None,
    })
}

/// Swaps given name and surname; false (nothing done) when either is blank.
fn swap_names(f: &mut Fields) -> bool {
    if f[GIVEN].is_empty() || f[SURNAME].is_empty() {
        return false;
    }
    f.swap(GIVEN, SURNAME);
    true
}

/// A part of the address (street number to state) modified.
fn modified_address(rng: &mut Rng, v: &str, field: usize) -> String {
    match field {
        STREET_NUMBER => match rng.weighted(&[38, 15, 12, 10, 25]) {
            0 => digit_typo(rng, v),
            1 => transpose_any(rng, v),
            2 => String::new(),
            3 => ocr(rng, v),
            // FEBRL replaces street numbers wholesale now and then.
            _ => (1 + rng.below(200)).to_string(),
        },
        ADDRESS_1 => match rng.weighted(&[47, 25, 8, 6, 8, 6]) {
            0 => typo(rng, v),
            1 => abbreviate_street(rng, v),
            2 => ocr(rng, v),
            3 => String::new(),
            4 => split_word(rng, v),
            _ => phonetic(rng, v),
        },
        ADDRESS_2 => match rng.weighted(&[68, 12, 10, 10]) {
            0 => typo(rng, v),
            1 => String::new(),
            2 => ocr(rng, v),
            _ => split_word(rng, v),
        },
        SUBURB => match rng.weighted(&[57, 10, 15, 6, 12]) {
            0 => typo(rng, v),
            1 => ocr(rng, v),
            2 => phonetic(rng, v),
            3 => String::new(),
            _ => split_word(rng, v),
        },
        POSTCODE => match rng.weighted(&[52, 30, 10, 8]) {
            0 => digit_typo(rng, v),
            1 => transpose_any(rng, v),
            2 => ocr(rng, v),
            _ => String::new(),
        },
        _ => match rng.weighted(&[55, 15, 30]) {
            0 => typo(rng, v),
            1 => String::new(),
            _ => rng.pick(STATES).0.to_string(),
        },
    }
}

fn modified_date_of_birth(rng: &mut Rng, v: &str) -> String {
    match rng.weighted(&[37, 15, 25, 8, 15]) {
        0 => digit_typo(rng, v),
        1 => transpose_any(rng, v),
        2 => swap_day_month(rng, v),
        3 => String::new(),
        // The year mistyped: 1956 for 1965.
        _ => {
            let mut b = v.as_bytes().to_vec();
            if b.len() == 8 {
                b.swap(2, 3);
            }
            String::from_utf8(b).unwrap_or_default()
        }
    }
}

/// Where a typo lands: anywhere, but the first character only a third as often.
fn typo_position(rng: &mut Rng, len: usize) -> usize {
    if len <= 1 || rng.chance(1.0 / (3.0 * len as f64 - 2.0)) {
        0
    } else {
        1 + rng.index(len - 1)
    }
}

fn neighbour(rng: &mut Rng, c: u8) -> Option<u8> {
    KEY_NEIGHBOURS
        .iter()
        .find(|(k, _)| *k == c)
        .map(|(_, n)| rng.pick(n.as_bytes()))
}

/// A keyboard slip: substitute (mostly a neighbouring key), insert, delete or transpose one
/// character. Spaces are left alone.
fn typo(rng: &mut Rng, v: &str) -> String {
    let mut b = v.as_bytes().to_vec();
    if b.is_empty() {
        return String::new();
    }
    let mut at = typo_position(rng, b.len());
    for _ in 0..8 {
        if b[at] != b' ' {
            break;
        }
        at = typo_position(rng, b.len());
    }
    if b[at] == b' ' {
        return v.to_string();
    }
    let c = b[at];
    let random_like = |rng: &mut Rng, c: u8| {
        if c.is_ascii_digit() {
            b'0' + rng.below(10) as u8
        } else {
            b'a' + rng.below(26) as u8
        }
    };
    match rng.weighted(&[40, 20, 25, 15]) {
        0 => {
            let mut r = if rng.chance(0.75) {
                neighbour(rng, c).unwrap_or(c)
            } else {
                random_like(rng, c)
            };
            if r == c {
                r = random_like(rng, c);
            }
            b[at] = r;
        }
        1 => {
            // Hitting a neighbour as well, or the same key twice.
            let r = if rng.chance(0.5) {
                neighbour(rng, c).unwrap_or(c)
            } else {
                c
            };
            b.insert(at + usize::from(rng.chance(0.5)), r);
        }
        2 if b.len() > 1 => {
            b.remove(at);
        }
        _ => {
            let at = at.min(b.len().saturating_sub(2));
            if b.len() >= 2 && b[at] != b[at + 1] && b[at + 1] != b' ' && b[at] != b' ' {
                b.swap(at, at + 1);
            } else {
                b[at] = neighbour(rng, c).unwrap_or(c);
            }
        }
    }
    String::from_utf8(b).unwrap_or_default()
}

/// Replaces one occurrence of a pattern by its replacement, chosen at random among all
/// occurrences of all applicable pairs; `None` when no pair applies.
fn replace_one(rng: &mut Rng, v: &str, pairs: &[(&str, &str)]) -> Option<String> {
    let mut options: Vec<(usize, &str, &str)> = Vec::new();
    for &(from, to) in pairs {
        for (at, _) in v.match_indices(from) {
            options.push((at, from, to));
        }
    }
    if options.is_empty() {
        return None;
    }
    let (at, from, to) = options[rng.index(options.len())];
    let mut out = String::with_capacity(v.len() + 2);
    out.push_str(&v[..at]);
    out.push_str(to);
    out.push_str(&v[at + from.len()..]);
    Some(out)
}

fn ocr(rng: &mut Rng, v: &str) -> String {
    replace_one(rng, v, OCR_CONFUSIONS).unwrap_or_else(|| typo(rng, v))
}

/// Another spelling of the same sound: a known variant of the name, or a spelling rule.
fn phonetic(rng: &mut Rng, v: &str) -> String {
    if let Some(group) = PHONETIC_GROUPS.iter().find(|g| g.contains(&v)) {
        let others: Vec<&str> = group.iter().copied().filter(|s| *s != v).collect();
        return rng.pick(&others).to_string();
    }
    match replace_one(rng, v, PHONETIC_RULES) {
        Some(s) if s != v => s,
        _ => typo(rng, v),
    }
}

fn nickname(rng: &mut Rng, v: &str) -> String {
    match NICKNAMES.iter().find(|(name, _)| *name == v) {
        Some((_, short)) => rng.pick(short).to_string(),
        None => phonetic(rng, v),
    }
}

/// A space typed inside a word ("har rison"), or one left out ("northryde").
fn split_word(rng: &mut Rng, v: &str) -> String {
    let b = v.as_bytes();
    let spaces: Vec<usize> = (0..b.len()).filter(|&i| b[i] == b' ').collect();
    if !spaces.is_empty() && rng.chance(0.4) {
        let at = rng.pick(&spaces);
        let mut s = v.to_string();
        s.remove(at);
        return s;
    }
    // Between two letters, neither next to a space.
    let inner: Vec<usize> = (1..b.len())
        .filter(|&i| b[i - 1] != b' ' && b[i] != b' ')
        .collect();
    if inner.is_empty() {
        return typo(rng, v);
    }
    let at = rng.pick(&inner);
    let mut s = v.to_string();
    s.insert(at, ' ');
    s
}

/// "miller street" -> "miller st" (or back, if already short).
fn abbreviate_street(rng: &mut Rng, v: &str) -> String {
    for (long, short, _) in STREET_TYPES {
        if let Some(stem) = v.strip_suffix(long) {
            return format!("{stem}{short}");
        }
    }
    typo(rng, v)
}

/// One digit replaced, mostly by a neighbouring key.
fn digit_typo(rng: &mut Rng, v: &str) -> String {
    let mut b = v.as_bytes().to_vec();
    let digits: Vec<usize> = (0..b.len()).filter(|&i| b[i].is_ascii_digit()).collect();
    if digits.is_empty() {
        return typo(rng, v);
    }
    let at = rng.pick(&digits);
    let c = b[at];
    let mut r = if rng.chance(0.6) {
        neighbour(rng, c).unwrap_or(c)
    } else {
        b'0' + rng.below(10) as u8
    };
    if r == c {
        r = if c == b'9' { b'0' } else { c + 1 };
    }
    b[at] = r;
    String::from_utf8(b).unwrap_or_default()
}

/// Two adjacent, different characters swapped; a digit typo when there are none.
fn transpose_any(rng: &mut Rng, v: &str) -> String {
    let mut b = v.as_bytes().to_vec();
    let pairs: Vec<usize> = (0..b.len().saturating_sub(1))
        .filter(|&i| b[i] != b[i + 1])
        .collect();
    if pairs.is_empty() {
        return digit_typo(rng, v);
    }
    let at = rng.pick(&pairs);
    b.swap(at, at + 1);
    String::from_utf8(b).unwrap_or_default()
}

fn insert_or_delete_digit(rng: &mut Rng, v: &str) -> String {
    let mut s = v.to_string();
    if rng.chance(0.5) && s.len() > 1 {
        s.remove(rng.index(s.len()));
    } else {
        let at = rng.index(s.len() + 1);
        s.insert(at, char::from(b'0' + rng.below(10) as u8));
    }
    s
}

/// `YYYYMMDD` with day and month swapped, when that is still a date (day 12 or less, and not
/// equal to the month); otherwise a digit typo.
fn swap_day_month(rng: &mut Rng, v: &str) -> String {
    if v.len() == 8 {
        let (month, day) = (&v[4..6], &v[6..8]);
        if let (Ok(m), Ok(d)) = (month.parse::<u32>(), day.parse::<u32>()) {
            if d <= 12 && d != m && d > 0 {
                let mut s = String::with_capacity(8);
                let _ = write!(s, "{}{day}{month}", &v[..4]);
                return s;
            }
        }
    }
    digit_typo(rng, v)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
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
        use crate::in_memory::{match_all, ConfigFile};
        use crate::score;
        use engine::domain::ConfigInput;
        use engine::validate::validate_config;
        use import::{to_documents, to_records};

        let config: ConfigFile =
            serde_json::from_str(include_str!("../../../docs/configs/people.json")).unwrap();
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
