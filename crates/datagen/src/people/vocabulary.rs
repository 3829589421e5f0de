//! The word lists the people generator draws from (given names, surnames, streets, places, states)
//! and the variants its duplicates are corrupted with (nicknames, phonetic groups and rules, OCR
//! confusions, keyboard neighbours).

pub(super) const MALE_NAMES: &str =
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
pub(super) const FEMALE_NAMES: &str =
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
pub(super) const SURNAMES: &str =
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
pub(super) const STREET_STEMS: &str =
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
pub(super) const STREET_TYPES: &[(&str, &str, u64)] = &[
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
pub(super) const PLACE_STEMS: &str =
    "rosedale, kelgoola, sunnyside, glenview, hillcrest, riverside, woodlands, greenacres, \
    fernleigh, bayview, lakeside, brookfield, oakleigh, warrawee, allambee, binnaway, coolabah, \
    wirrimbi, yarrabee, kooringal, bundarra, mirrabooka, tallawong, wallaroo, burrawang, \
    koonwarra, narrabeen, avalind, miami, sorrento, whispering pines, five oaks, the willows, \
    stonyridge, ferndale, belmont, clovelly, edgecliff, yarrawonga, wildefell, campaspe, \
    bombowlee, donna valley, gold tyne, pinehill, springvale, hawthorn, mountain view, karingal, \
    wyuna, tathra, mooroolbark, illawong, jindalee, kirribilli, merrivale, brentwood, glengarry, \
    strathmore, craigmore";
pub(super) const PLACE_SUFFIXES: &str =
    "farm, park, house, lodge, estate, gardens, village, court, manor, towers, cottage, station";
pub(super) const UNIT_WORDS: &[&str] = &["unit", "flat", "villa", "apartment", "lot"];
/// Real suburb and town names, each with its state.
pub(super) const SUBURBS: &str =
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
pub(super) const SUBURB_STARTS: &str =
    "glen, mount, north, east, west, south, port, lake, kings, spring, oak, green, pine, rose, \
    bell, black, white, red, wood, cherry, ash, elm, fair, clear";
pub(super) const SUBURB_ENDS: &[&str] = &[
    "vale", "wood", "field", "ford", "ton", "dale", "bank", "hill", "hurst", "leigh", " park",
    "ridge", "brook", "haven", "burn", "more", " heights", " beach", " creek", " downs",
];
/// States by share of population (percent).
pub(super) const STATES: &[(&str, u64)] = &[
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
pub(super) const NICKNAMES: &[(&str, &[&str])] = &[
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
pub(super) const PHONETIC_GROUPS: &[&[&str]] = &[
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
pub(super) const PHONETIC_RULES: &[(&str, &str)] = &[
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
pub(super) const OCR_CONFUSIONS: &[(&str, &str)] = &[
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
pub(super) const KEY_NEIGHBOURS: &[(u8, &str)] = &[
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
