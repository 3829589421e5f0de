//! The word lists behind generated industrial tags: ISA-5.1 measured variables and functions,
//! valves, equipment, the plant equipment that descriptions name, sites and historian system tags.

/// Site codes; a site's historian often writes its code before every tag.
pub(super) const SITES: [&str; 8] = ["KKL", "ABC", "NOR", "GRA", "OSE", "TRO", "SLE", "HEI"];
/// Relative size of each site: a few big plants and some small ones.
pub(super) const SITE_WEIGHTS: [u64; 8] = [6, 5, 4, 3, 3, 2, 2, 1];
/// Digits of the loop number at each site (`21PT1019` against `21PT019`); sites follow their own
/// engineering standard.
pub(super) const SITE_LOOP_WIDTHS: [u8; 8] = [4, 3, 4, 4, 3, 4, 3, 4];

/// First letter of an instrument tag: what is measured.
pub(super) struct Variable {
    pub letter: &'static str,
    pub noun: &'static str,
    /// Engineering units a transmitter of this variable reports in; repeats make one common.
    pub units: &'static [&'static str],
    pub weight: u64,
}

pub(super) const PRESSURE: usize = 0;
pub(super) const TEMPERATURE: usize = 1;
pub(super) const LEVEL: usize = 3;
pub(super) const ANALYSIS: usize = 4;
pub(super) const SPEED: usize = 5;
pub(super) const VIBRATION: usize = 6;

pub(super) const VARIABLES: [Variable; 7] = [
    Variable {
        letter: "P",
        noun: "pressure",
        units: &["bar", "bar", "barg", "kPa", "psi"],
        weight: 30,
    },
    Variable {
        letter: "T",
        noun: "temperature",
        units: &["degC", "degC", "degC", "degF"],
        weight: 26,
    },
    Variable {
        letter: "F",
        noun: "flow",
        units: &["m3/h", "Sm3/h", "kg/h", "t/h", "bbl/d"],
        weight: 20,
    },
    Variable {
        letter: "L",
        noun: "level",
        units: &["%", "%", "mm"],
        weight: 14,
    },
    Variable {
        letter: "A",
        noun: "analyser",
        units: &["ppm", "%", "mg/l", "pH"],
        weight: 4,
    },
    Variable {
        letter: "S",
        noun: "speed",
        units: &["rpm"],
        weight: 3,
    },
    Variable {
        letter: "V",
        noun: "vibration",
        units: &["mm/s", "um"],
        weight: 3,
    },
];

/// What a time series of a tag carries: `21PIC1019.SP` is the set point of controller 21PIC1019.
pub(super) struct Attribute {
    pub name: &'static str,
    /// Appended to the description of the time series ("... - setpoint"); empty for the value.
    pub qualifier: &'static str,
    /// `None`: the unit of the tag's variable.
    pub unit: Option<&'static str>,
}

const fn attribute(
    name: &'static str,
    qualifier: &'static str,
    unit: Option<&'static str>,
) -> Attribute {
    Attribute {
        name,
        qualifier,
        unit,
    }
}

pub(super) const PV: u8 = 0;
const SP: u8 = 1;
const OP: u8 = 2;
const MODE: u8 = 3;
const POS: u8 = 4;
const ALM: u8 = 5;
const STATUS: u8 = 6;
const CMD: u8 = 7;
const RUN: u8 = 8;
const CUR: u8 = 9;
const PWR: u8 = 10;

pub(super) const ATTRIBUTES: [Attribute; 11] = [
    attribute("PV", "", None),
    attribute("SP", "setpoint", None),
    attribute("OP", "output", Some("%")),
    attribute("MODE", "mode", Some("")),
    attribute("POS", "position", Some("%")),
    attribute("ALM", "alarm", Some("")),
    attribute("STATUS", "status", Some("")),
    attribute("CMD", "command", Some("")),
    attribute("RUN", "running", Some("")),
    attribute("CUR", "current", Some("A")),
    attribute("PWR", "power", Some("kW")),
];

/// The letters after the variable: `PIC` is a pressure indicating controller.
pub(super) struct Function {
    pub letters: &'static str,
    /// The description is `before` + variable noun + `after`.
    pub before: &'static str,
    pub after: &'static str,
    /// Time series a tag of this function has; the first is its main one. Empty: none (a
    /// temperature element is wired to its transmitter, the historian never sees it).
    pub attributes: &'static [u8],
}

const fn function(
    letters: &'static str,
    before: &'static str,
    after: &'static str,
    attributes: &'static [u8],
) -> Function {
    Function {
        letters,
        before,
        after,
        attributes,
    }
}

pub(super) const F_TRANSMITTER: u8 = 0;
pub(super) const F_INDICATOR: u8 = 1;
pub(super) const F_CONTROLLER: u8 = 2;
pub(super) const F_VALVE: u8 = 3;
pub(super) const F_ALARM_HIGH: u8 = 4;
pub(super) const F_ALARM_LOW: u8 = 5;
pub(super) const F_ALARM: u8 = 6;
pub(super) const F_SAFETY_VALVE: u8 = 7;
pub(super) const F_DIFFERENTIAL: u8 = 8;
pub(super) const F_ELEMENT: u8 = 9;

pub(super) const FUNCTIONS: [Function; 10] = [
    function("T", "", " transmitter", &[PV]),
    function("I", "", " indicator", &[PV]),
    function("IC", "", " indicating controller", &[PV, SP, OP, MODE]),
    function("V", "", " control valve", &[OP, POS]),
    function("AH", "", " alarm high", &[ALM]),
    function("AL", "", " alarm low", &[ALM]),
    function("A", "", " alarm", &[ALM]),
    function("SV", "", " safety valve", &[STATUS]),
    function("DT", "differential ", " transmitter", &[PV]),
    function("E", "", " element", &[]),
];

/// Valves that belong to no measurement loop: `21XV1019` is an on/off valve.
pub(super) struct Valve {
    pub letters: &'static str,
    pub noun: &'static str,
    pub attributes: &'static [u8],
}

const fn valve(letters: &'static str, noun: &'static str, attributes: &'static [u8]) -> Valve {
    Valve {
        letters,
        noun,
        attributes,
    }
}

pub(super) const VALVES: [Valve; 3] = [
    valve("XV", "on/off valve", &[POS, CMD]),
    valve("HV", "hand valve", &[POS]),
    valve("SDV", "shutdown valve", &[POS, CMD, STATUS]),
];

/// Kinds of plant equipment, which equipment tags are and instrument descriptions name.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    Vessel,
    Pump,
    Compressor,
    Exchanger,
    Column,
    Tank,
    Line,
}

/// Equipment tags: `21P1019A` is pump A of a pair.
pub(super) struct Equipment {
    pub letters: &'static str,
    pub place: Place,
    /// Share of these that come as an A/B pair (pumps are spared, vessels are not).
    pub paired: f64,
    pub attributes: &'static [u8],
    pub weight: u64,
}

pub(super) const EQUIPMENT: [Equipment; 6] = [
    Equipment {
        letters: "P",
        place: Place::Pump,
        paired: 0.6,
        attributes: &[RUN, CUR, PWR],
        weight: 35,
    },
    Equipment {
        letters: "K",
        place: Place::Compressor,
        paired: 0.1,
        attributes: &[RUN, CUR, PWR],
        weight: 12,
    },
    Equipment {
        letters: "E",
        place: Place::Exchanger,
        paired: 0.2,
        attributes: &[],
        weight: 20,
    },
    Equipment {
        letters: "V",
        place: Place::Vessel,
        paired: 0.0,
        attributes: &[],
        weight: 18,
    },
    Equipment {
        letters: "C",
        place: Place::Column,
        paired: 0.0,
        attributes: &[],
        weight: 5,
    },
    Equipment {
        letters: "TK",
        place: Place::Tank,
        paired: 0.0,
        attributes: &[],
        weight: 10,
    },
];

/// The equipment descriptions name: "Pressure transmitter, inlet separator".
pub(super) const CONTEXTS: [(&str, Place); 48] = [
    ("inlet separator", Place::Vessel),
    ("test separator", Place::Vessel),
    ("HP separator", Place::Vessel),
    ("LP separator", Place::Vessel),
    ("inlet scrubber", Place::Vessel),
    ("fuel gas scrubber", Place::Vessel),
    ("flare knock-out drum", Place::Vessel),
    ("closed drain drum", Place::Vessel),
    ("glycol contactor", Place::Vessel),
    ("degasser", Place::Vessel),
    ("coalescer", Place::Vessel),
    ("surge drum", Place::Vessel),
    ("crude export pump", Place::Pump),
    ("produced water pump", Place::Pump),
    ("seawater lift pump", Place::Pump),
    ("booster pump", Place::Pump),
    ("condensate pump", Place::Pump),
    ("glycol circulation pump", Place::Pump),
    ("firewater pump", Place::Pump),
    ("chemical injection pump", Place::Pump),
    ("1st stage compressor", Place::Compressor),
    ("2nd stage compressor", Place::Compressor),
    ("export gas compressor", Place::Compressor),
    ("recompressor", Place::Compressor),
    ("flash gas compressor", Place::Compressor),
    ("instrument air compressor", Place::Compressor),
    ("crude cooler", Place::Exchanger),
    ("gas cooler", Place::Exchanger),
    ("inlet heater", Place::Exchanger),
    ("glycol reboiler", Place::Exchanger),
    ("overhead condenser", Place::Exchanger),
    ("seawater cooler", Place::Exchanger),
    ("crude heater", Place::Exchanger),
    ("stabiliser column", Place::Column),
    ("glycol regeneration column", Place::Column),
    ("deethaniser", Place::Column),
    ("diesel tank", Place::Tank),
    ("methanol tank", Place::Tank),
    ("slop tank", Place::Tank),
    ("produced water tank", Place::Tank),
    ("export line", Place::Line),
    ("fuel gas header", Place::Line),
    ("flare header", Place::Line),
    ("wellstream manifold", Place::Line),
    ("cooling water supply", Place::Line),
    ("cooling water return", Place::Line),
    ("instrument air header", Place::Line),
    ("injection line", Place::Line),
];

/// Where on the equipment an instrument sits, by kind of equipment.
pub(super) fn positions(place: Place) -> &'static [&'static str] {
    match place {
        Place::Pump | Place::Compressor => &["suction", "discharge"],
        Place::Exchanger => &["inlet", "outlet"],
        Place::Vessel => &["inlet", "gas outlet", "liquid outlet"],
        Place::Column => &["top", "bottom"],
        Place::Tank | Place::Line => &[],
    }
}

/// Letters after the loop number: none mostly, A/B for a redundant pair, a few others.
pub(super) const SUFFIXES: [&str; 8] = ["", "A", "B", "C", "CA", "CB", "BU", "XA"];
pub(super) const SUFFIX_A: u8 = 1;
pub(super) const SUFFIX_B: u8 = 2;
/// The two-letter loop suffixes (`21AA1019CA`), indices into [`SUFFIXES`].
pub(super) const LOOP_SUFFIXES: [u8; 4] = [4, 5, 6, 7];

/// Area (unit) numbers plants use; each site takes some of them, so sites share area numbers.
pub(super) const AREA_FIRST: u8 = 10;
pub(super) const AREA_LAST: u8 = 99;

/// Time series of the control system itself, which belong to no asset: name after the site code,
/// description, unit.
pub(super) const SYSTEM_TAGS: [(&str, &str, &str); 12] = [
    ("SYS_HEARTBEAT", "Historian heartbeat", ""),
    ("SYS_WATCHDOG", "Controller watchdog", ""),
    ("SYS_CPU_LOAD", "Controller CPU load", "%"),
    ("SYS_MEM_FREE", "Controller free memory", "MB"),
    ("OPC_STATUS", "OPC server status", ""),
    ("OPC_QUALITY", "OPC data quality", ""),
    ("HIST_DISK_FREE", "Historian disk free", "GB"),
    ("SYS_TIME_SYNC", "Time synchronisation offset", "ms"),
    ("CALC_PLANT_LOAD", "Calculated plant load", "%"),
    ("CALC_EXPORT_TOTAL", "Daily export total", "Sm3"),
    ("LAB_SAMPLE_NO", "Lab sample number", ""),
    ("SHIFT_NO", "Shift number", ""),
];

/// How historians shorten description words.
pub(super) const ABBREVIATIONS: [(&str, &str); 24] = [
    ("pressure", "press"),
    ("temperature", "temp"),
    ("transmitter", "tx"),
    ("indicator", "ind"),
    ("indicating", "ind"),
    ("controller", "ctrl"),
    ("control", "ctl"),
    ("valve", "vlv"),
    ("separator", "sep"),
    ("compressor", "compr"),
    ("differential", "diff"),
    ("discharge", "disch"),
    ("suction", "suct"),
    ("level", "lvl"),
    ("analyser", "anlz"),
    ("alarm", "alm"),
    ("high", "hi"),
    ("low", "lo"),
    ("safety", "sfty"),
    ("outlet", "outl"),
    ("vibration", "vib"),
    ("condenser", "cond"),
    ("regeneration", "regen"),
    ("circulation", "circ"),
];
