/**
 * The four corpora of the tutorials: where each file comes from, its sha256 (of the
 * published bytes), its layout and its label list (Hugging Face order where HF has the corpus).
 */
import type { FormatName } from "./types";

export type CorpusName = "mit_restaurant" | "conll2003" | "wnut17" | "wikiann_en";

/** One file of a corpus: local name `<corpus>/<file>`, remote path under the source's base URL. */
export interface CorpusFile {
  split: "train" | "validation" | "test";
  file: string;
  remotePath: string;
  sha256: string;
  /** Size in bytes of the published file (checked before the sha256: a cut file is caught cheaply). */
  size: number;
}

export interface CorpusSpec {
  name: CorpusName;
  title: string;
  format: FormatName;
  /** Raw-file base URL of the canonical public source (remotePath is appended). */
  baseUrl: string;
  /** Human-readable origin and licence, as far as known. */
  source: string;
  license: string;
  files: CorpusFile[];
  /** Fixed NER label list (HF order); absent → built from the data with labelListFromTags. */
  labelList?: readonly string[];
  posNames?: readonly string[];
  chunkNames?: readonly string[];
  /** Shipped in the repository's data/ folder. */
  embedded: boolean;
  /** Add HF wikiann's `langs` and `spans` columns. */
  wikiannColumns?: boolean;
}

/** CoNLL-2003 POS tag names in Hugging Face `conll2003` order. */
export const CONLL2003_POS: readonly string[] = [
  '"',
  "''",
  "#",
  "$",
  "(",
  ")",
  ",",
  ".",
  ":",
  "``",
  "CC",
  "CD",
  "DT",
  "EX",
  "FW",
  "IN",
  "JJ",
  "JJR",
  "JJS",
  "LS",
  "MD",
  "NN",
  "NNP",
  "NNPS",
  "NNS",
  "NN|SYM",
  "PDT",
  "POS",
  "PRP",
  "PRP$",
  "RB",
  "RBR",
  "RBS",
  "RP",
  "SYM",
  "TO",
  "UH",
  "VB",
  "VBD",
  "VBG",
  "VBN",
  "VBP",
  "VBZ",
  "WDT",
  "WP",
  "WP$",
  "WRB",
];

/** CoNLL-2003 chunk tag names in Hugging Face `conll2003` order. */
export const CONLL2003_CHUNK: readonly string[] = [
  "O",
  "B-ADJP",
  "I-ADJP",
  "B-ADVP",
  "I-ADVP",
  "B-CONJP",
  "I-CONJP",
  "B-INTJ",
  "I-INTJ",
  "B-LST",
  "I-LST",
  "B-NP",
  "I-NP",
  "B-PP",
  "I-PP",
  "B-PRT",
  "I-PRT",
  "B-SBAR",
  "I-SBAR",
  "B-UCP",
  "I-UCP",
  "B-VP",
  "I-VP",
];

export const CONLL2003_NER: readonly string[] = [
  "O",
  "B-PER",
  "I-PER",
  "B-ORG",
  "I-ORG",
  "B-LOC",
  "I-LOC",
  "B-MISC",
  "I-MISC",
];

export const WNUT17_NER: readonly string[] = [
  "O",
  "B-corporation",
  "I-corporation",
  "B-creative-work",
  "I-creative-work",
  "B-group",
  "I-group",
  "B-location",
  "I-location",
  "B-person",
  "I-person",
  "B-product",
  "I-product",
];

export const WIKIANN_NER: readonly string[] = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"];

/**
 * MIT Restaurant labels as built from the data by labelListFromTags: O, then B-/I- per type
 * in code-point order of the type names. Listed here for documentation and tests only.
 */
export const MIT_RESTAURANT_NER: readonly string[] = [
  "O",
  "B-Amenity",
  "I-Amenity",
  "B-Cuisine",
  "I-Cuisine",
  "B-Dish",
  "I-Dish",
  "B-Hours",
  "I-Hours",
  "B-Location",
  "I-Location",
  "B-Price",
  "I-Price",
  "B-Rating",
  "I-Rating",
  "B-Restaurant_Name",
  "I-Restaurant_Name",
];

export const CORPORA: Readonly<Record<CorpusName, CorpusSpec>> = {
  mit_restaurant: {
    name: "mit_restaurant",
    title: "MIT Restaurant (search queries)",
    format: "mit",
    baseUrl: "https://raw.githubusercontent.com/laxmimerit/All-CSV-ML-Data-Files-Download/master/",
    source:
      "github laxmimerit/All-CSV-ML-Data-Files-Download, mit_restaurant_search_ner/ (the URL the " +
      "tutorial downloads); originally the MIT SLS restaurant corpus (Liu et al., 2013)",
    license: "no licence stated by the mirror; MIT SLS corpus, distributed for research",
    files: [
      {
        split: "train",
        file: "train.bio",
        remotePath: "mit_restaurant_search_ner/train.bio",
        sha256: "a038725a78471c4401af55f87617380c1defffc0bf946fe673bf0e9d4694c68c",
        size: 759755,
      },
      {
        split: "test",
        file: "test.bio",
        remotePath: "mit_restaurant_search_ner/test.bio",
        sha256: "82d5224801d48e03467a3d51ac1d00eeac6739b9664b94d07f99731c15dcdf19",
        size: 155720,
      },
    ],
    embedded: true,
  },
  conll2003: {
    name: "conll2003",
    title: "CoNLL-2003 English NER",
    format: "conll2003",
    baseUrl: "https://raw.githubusercontent.com/ViktorooReps/sp-test-task/HEAD/",
    source: "github ViktorooReps/sp-test-task, conll2003/ (same splits and IOB2 tags as Hugging Face conll2003)",
    license:
      "Reuters RCV1 text under the Reuters research agreement; annotations by Tjong Kim Sang & De Meulder (2003)",
    files: [
      {
        split: "train",
        file: "train.txt",
        remotePath: "conll2003/train.txt",
        sha256: "ea10020985e45f11d7363b2f7ff72b09bdb8652a62125d22fc3103f88affb607",
        size: 3262606,
      },
      {
        split: "validation",
        file: "valid.txt",
        remotePath: "conll2003/valid.txt",
        sha256: "82d27596bc16cd955275506695770e3f454b4950640ac5e3b4c10a19d5326efc",
        size: 822689,
      },
      {
        split: "test",
        file: "test.txt",
        remotePath: "conll2003/test.txt",
        sha256: "450543d05ea7181fce73494aa2090797e1fb1011fe6fc031d3fab98d5b36a83b",
        size: 743011,
      },
    ],
    labelList: CONLL2003_NER,
    posNames: CONLL2003_POS,
    chunkNames: CONLL2003_CHUNK,
    embedded: false,
  },
  wnut17: {
    name: "wnut17",
    title: "WNUT-17 Emerging and Rare Entities",
    format: "wnut",
    baseUrl: "https://raw.githubusercontent.com/leondz/emerging_entities_17/master/",
    source: "github leondz/emerging_entities_17 (the files Hugging Face wnut_17 downloads)",
    license: "CC BY 4.0 (as stated on the Hugging Face wnut_17 card)",
    files: [
      {
        split: "train",
        file: "train.conll",
        remotePath: "wnut17train.conll",
        sha256: "731820e13f71af324c6b55a1575ec2ce59fbaa2a0806f8f0400b98d56cd6a7a5",
        size: 493781,
      },
      {
        split: "validation",
        file: "dev.conll",
        remotePath: "emerging.dev.conll",
        sha256: "e053b752b8155113ca66e7db08af5f2f5f43ab993694e4774f1ec5bad42312d8",
        size: 114749,
      },
      {
        split: "test",
        file: "test.conll",
        remotePath: "emerging.test.annotated",
        sha256: "2aa79b764e56ec9264a1b30fdd9b70195bd00ff400b62edd8f399d5f13c178f0",
        size: 192425,
      },
    ],
    labelList: WNUT17_NER,
    embedded: false,
  },
  wikiann_en: {
    name: "wikiann_en",
    title: "WikiANN (PAN-X) English",
    format: "wikiann",
    baseUrl: "https://raw.githubusercontent.com/davidsbatista/NER-datasets/master/",
    source:
      "github davidsbatista/NER-datasets, WikiANN/en/ (split sizes equal to Hugging Face wikiann, " +
      "config en); Pan et al. (2017)",
    license: "no licence stated by the mirror; derived from Wikipedia (CC BY-SA)",
    files: [
      {
        split: "train",
        file: "train",
        remotePath: "WikiANN/en/train",
        sha256: "ca569a937f536cfc7e94291fbf631d394ce0c171af4523d96f366a50bd18b388",
        size: 1994834,
      },
      {
        split: "validation",
        file: "dev",
        remotePath: "WikiANN/en/dev",
        sha256: "e9e42f79be5eba498ac86b7b81612da5ec5ad3d194df25c2e474514434957cf4",
        size: 1002261,
      },
      {
        split: "test",
        file: "test",
        remotePath: "WikiANN/en/test",
        sha256: "798706360692e56b9ce72fe37033c581cc9801b18f22091100b8266e0dc7fccb",
        size: 1000256,
      },
    ],
    labelList: WIKIANN_NER,
    embedded: false,
    wikiannColumns: true,
  },
};

/** Aliases accepted wherever a corpus name is (Hugging Face dataset names). */
const ALIASES: Record<string, CorpusName> = {
  mit_restaurant: "mit_restaurant",
  "mit-restaurant": "mit_restaurant",
  conll2003: "conll2003",
  wnut17: "wnut17",
  wnut_17: "wnut17",
  wikiann_en: "wikiann_en",
  wikiann: "wikiann_en",
};

export const CORPUS_NAMES: readonly CorpusName[] = Object.keys(CORPORA) as CorpusName[];

/** The spec of a corpus by name or alias, or undefined. */
export function findCorpus(name: string): CorpusSpec | undefined {
  const canonical = ALIASES[name];
  return canonical ? CORPORA[canonical] : undefined;
}

/** The spec of a corpus by name or alias; throws listing the known names. */
export function getCorpus(name: string): CorpusSpec {
  const spec = findCorpus(name);
  if (!spec) throw new Error(`unknown corpus ${JSON.stringify(name)} (known: ${CORPUS_NAMES.join(", ")})`);
  return spec;
}

/** Split names accepted for a split, mapped to the corpus's own ("dev"/"valid" → "validation"). */
export function normalizeSplit(split: string): string {
  const s = split.toLowerCase();
  return s === "dev" || s === "valid" || s === "val" ? "validation" : s;
}
