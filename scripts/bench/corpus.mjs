// A deterministic synthetic knowledge base for the benchmarks: English words drawn with a Zipf
// distribution (function words at the head, as in real prose), sentences and paragraphs shaped like
// handbook and policy text, Markdown headings, and the odd number or code. The same seed gives the same
// corpus and the same queries on every machine, so two runs compare.

/** Function words: about 45% of running English text (they carry no topic; the analyzer drops them). */
const FUNCTION_WORDS = (
  "the of and to a in is that for it as was with be by on not he this are or his from at which but have an " +
  "they you were their one all we can her has there been if more when will would who so no she other its may " +
  "these about than into some could them only then do any what each how our also such should must those both " +
  "after before under over between during within without through while where because"
).split(" ");

/** Content words of business, policy and technical writing, roughly from common to rare. */
const CONTENT_WORDS = // people and organisation
  (
    "employee company team manager work time year day policy customer service account report process system " +
    "information data business management support department office staff member group client user request " +
    "project program plan review approval role responsibility leader director executive board committee " +
    "contractor supplier vendor partner colleague supervisor candidate applicant intern consultant auditor " +
    "officer representative administrator owner holder beneficiary guarantor tenant landlord borrower lender " +
    // time and quantity
    "week month quarter period date deadline schedule calendar hour minute morning evening weekend holiday " +
    "annual monthly weekly daily first second third last next previous current new old early late total " +
    "number amount percentage rate level limit minimum maximum average balance sum value cost price fee charge " +
    // HR
    "leave vacation absence sick parental maternity paternity bereavement sabbatical overtime shift salary " +
    "wage bonus commission pension retirement benefit insurance health dental vision wellness allowance " +
    "reimbursement expense travel mileage meal lodging hotel flight receipt claim invoice payroll deduction " +
    "contract agreement probation performance appraisal feedback goal objective promotion transfer " +
    "resignation termination dismissal notice grievance complaint harassment discrimination conduct ethics " +
    "training course certification onboarding orientation mentoring coaching development career skill " +
    "hiring recruitment interview offer reference background check visa relocation remote hybrid flexible " +
    "equipment laptop phone badge desk parking uniform safety emergency evacuation fire first aid injury " +
    // finance and banking
    "payment transaction transfer deposit withdrawal loan mortgage credit debit card interest principal " +
    "installment repayment overdraft statement fund investment portfolio asset liability equity revenue " +
    "profit loss budget forecast tax audit compliance regulation risk fraud dispute chargeback refund " +
    "currency exchange wire swift iban routing branch teller cheque savings checking deposit collateral " +
    "underwriting valuation appraisal default arrears penalty waiver fee statement ledger reconciliation " +
    "accrual depreciation amortization dividend capital liquidity solvency treasury cash flow margin " +
    // IT and security
    "password login access permission authentication authorization token key certificate encryption " +
    "network server database application software hardware device browser email message notification " +
    "backup restore incident outage ticket helpdesk upgrade patch vulnerability firewall vpn wifi printer " +
    "storage cloud file folder document attachment upload download link website portal dashboard interface " +
    "integration api endpoint webhook configuration setting environment deployment release version update " +
    "monitoring alert log metric latency availability capacity performance recovery continuity disaster " +
    "phishing malware virus spam breach privacy confidentiality retention deletion classification label " +
    // legal and governance
    "law legal court judgment clause term condition liability indemnity warranty obligation right duty " +
    "jurisdiction arbitration litigation settlement breach remedy damages consent disclosure notice signature " +
    "governance oversight control framework standard procedure guideline requirement exception escalation " +
    "license intellectual property patent trademark copyright confidential proprietary trade secret " +
    // operations and product
    "product order delivery shipment warehouse inventory stock supply logistics carrier tracking return " +
    "quality inspection defect warranty repair replacement maintenance facility building floor room " +
    "meeting agenda minutes presentation proposal decision strategy initiative milestone deliverable " +
    "stakeholder sponsor resource allocation priority scope risk issue dependency timeline status " +
    "feature release roadmap launch pricing subscription plan tier upgrade downgrade cancellation renewal " +
    "survey satisfaction complaint escalation response resolution channel chat phone website store " +
    // general verbs and adjectives (content-bearing)
    "submit approve reject review complete provide require include receive apply request report contact " +
    "manage ensure maintain follow update record verify confirm notify inform explain describe discuss " +
    "calculate pay earn accrue carry transfer cancel renew extend reduce increase decrease adjust exceed " +
    "eligible entitled responsible available required optional mandatory applicable relevant appropriate " +
    "reasonable necessary specific general personal professional internal external official formal written " +
    "verbal electronic digital physical local national international regional global public private " +
    "full part temporary permanent standard special additional unpaid paid approved pending rejected " +
    "secure sensitive critical urgent routine regular annual accurate complete valid invalid expired " +
    // rarer, more specific words
    "accreditation adjudication affidavit amendment apportionment arbitrator attestation bylaws " +
    "codicil cohort concession conveyance covenant custodian debenture delegation derivative diligence " +
    "disbursement encumbrance endorsement escrow fiduciary forbearance garnishment hedging hypothecation " +
    "imprest indenture insolvency jurisprudence lien mandate moratorium novation ombudsman prorate " +
    "quorum rebate recusal remittance rescission stipend subrogation surety tranche tribunal trustee " +
    "usufruct vesting whistleblower actuarial annuity biometric cadence decommission ergonomic " +
    "franchise geolocation heuristic interoperability kiosk latitude middleware nonrepudiation " +
    "orchestration provenance quarantine redundancy sandbox telemetry throughput uptime virtualization " +
    "workflow xenial yield zoning abatement backlog clawback deductible embargo furlough gratuity " +
    "honorarium incentive jubilee kickoff lockout microloan netting onerous per diem quota reinstatement " +
    "secondment tenure underpayment vacancy workload accessibility accommodation adoption bereaved " +
    "caregiver childcare commute counselling dependant disability eldercare fertility grandparent " +
    "immunization jury lactation marriage military newborn nursing ordination pregnancy quarantine " +
    "rehabilitation surrogacy telecommute volunteering wellbeing yoga anniversary apprenticeship " +
    "archive barcode blueprint checklist compendium directory glossary handbook inventory manual " +
    "memorandum register repository roster spreadsheet template textbook transcript whitepaper " +
    "aluminium bicycle cafeteria canteen cleaning courier elevator forklift generator gymnasium janitor " +
    "kitchen locker mailroom pantry reception sprinkler stairwell thermostat ventilation wheelchair " +
    "amsterdam berlin chicago dublin edinburgh frankfurt geneva helsinki istanbul johannesburg " +
    "kyoto lisbon madrid nairobi oslo paris quebec rome singapore toronto utrecht vienna warsaw zurich"
  ).split(" ");

/** 32-bit mulberry PRNG: tiny, fast and the same on every engine. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sampler for ranks 0..n-1 with P(r) ∝ 1/(r+1)^s (binary search over the cumulative weights). */
function zipf(n, s) {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let r = 0; r < n; r++) cdf[r] = total += 1 / (r + 1) ** s;
  return (u) => {
    const x = u * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] ?? 0) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const vocabulary = [...new Set(CONTENT_WORDS.filter((w) => w.length > 0))];

/** The words of a text as queries are drawn from it: headings' `#` marks dropped, lower case, no final . or ?. */
export function words(text) {
  return text
    .split(/\s+/)
    .filter((w) => !w.startsWith("#"))
    .map((w) => w.replace(/[.?]$/, "").toLowerCase());
}

/**
 * A corpus: `document(i)` returns the Markdown text of document i (sections of 50-70 word
 * paragraphs); `query(i, first, end)` returns a 3-8 word question drawn from one of those documents.
 */
export function syntheticCorpus(seed = 20260301) {
  const pickFunction = zipf(FUNCTION_WORDS.length, 1.0);
  const pickContent = zipf(vocabulary.length, 1.05);

  const word = (rand) => {
    const u = rand();
    if (u < 0.44) return FUNCTION_WORDS[pickFunction(rand())];
    if (u < 0.46) {
      // Amounts, years and reference codes appear in policy text.
      const kind = rand();
      if (kind < 0.5) return String(1 + Math.floor(rand() * 60));
      if (kind < 0.8) return String(2015 + Math.floor(rand() * 15));
      return `ref${1000 + Math.floor(rand() * 9000)}`;
    }
    return vocabulary[pickContent(rand())];
  };

  const sentence = (rand) => {
    const n = 8 + Math.floor(rand() * 14);
    const words = [];
    for (let i = 0; i < n; i++) words.push(word(rand));
    const first = words[0] ?? "the";
    words[0] = first.charAt(0).toUpperCase() + first.slice(1);
    return `${words.join(" ")}${rand() < 0.1 ? "?" : "."}`;
  };

  const paragraph = (rand, targetWords) => {
    const sentences = [];
    let count = 0;
    while (count < targetWords) {
      const s = sentence(rand);
      sentences.push(s);
      count += s.split(" ").length;
    }
    return sentences.join(" ");
  };

  const title = (rand) => {
    const n = 1 + Math.floor(rand() * 3);
    const words = [];
    for (let i = 0; i < n; i++) words.push(vocabulary[pickContent(rand())] ?? "policy");
    return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(" ");
  };

  return {
    /** Markdown of document `i`: 3-6 sections of 2-5 paragraphs of 50-70 words each. */
    document(i) {
      const rand = prng(seed ^ Math.imul(i + 1, 0x9e3779b1));
      const parts = [`# ${title(rand)} handbook`];
      const sections = 3 + Math.floor(rand() * 4);
      for (let s = 0; s < sections; s++) {
        parts.push(`## ${title(rand)}`);
        const paragraphs = 2 + Math.floor(rand() * 4);
        for (let p = 0; p < paragraphs; p++) parts.push(paragraph(rand, 50 + Math.floor(rand() * 20)));
      }
      return parts.join("\n\n");
    },

    /** A question of 3-8 nearby words from one of documents `first`..`end - 1`, as a user might type it. */
    query(i, first, end) {
      return this.querySource(i, first, end).text;
    },

    /**
     * Query `i` with where it was drawn from: document `doc` and `window`, the run of its words (as
     * `words` gives them) the query's words were picked from, in order.
     */
    querySource(i, first, end) {
      const rand = prng(seed ^ Math.imul(i + 7, 0x85ebca6b));
      const doc = first + Math.floor(rand() * (end - first));
      const all = words(this.document(doc));
      const n = 3 + Math.floor(rand() * 6);
      const start = Math.floor(rand() * Math.max(1, all.length - n * 2));
      const picked = [];
      let j = start;
      for (; picked.length < n && j < all.length; j++) if (rand() < 0.7) picked.push(all[j]);
      return { text: picked.join(" "), doc, window: all.slice(start, j) };
    },
  };
}
