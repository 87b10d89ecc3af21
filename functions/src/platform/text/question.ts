/**
 * What kind of answer a question asks for, read from its wording: a number ("how many", "what is the
 * maximum"), a date ("on what date", "when will it be released"), a command, option or call ("how do I",
 * "which flag"), a name ("who"), or anything. The
 * extractive responder prefers sentences of the asked type, and the accountability checks count an answer
 * that lacks it as weaker evidence. English wording only; any other question is of type "any".
 */

export type AnswerType = "number" | "date" | "instruction" | "name" | "any";

const NUMBER_QUESTION =
  /\bhow (?:many|much|long|big|large|small|often|old|far|high|low|deep|wide|fast|soon)\b|\b(?:what|which)(?:'s| is| are)?(?: the)? (?:maximum|minimum|max|min|limit|number|size|length|count|amount|port|percentage|rate|timeout|age|year|depth|version)\b|\b(?:what|which) (?:[\w.-]+ ){0,2}(?:versions?|ports?|years?|percentages?)\b|\bup to what\b|\bhow \w+ (?:can|may|is|are)\b.*\b(?:be|get)\b.*\bbefore\b/i;
const INSTRUCTION_QUESTION =
  /\bhow (?:do|can|should|would|could|must) (?:i|you|we|one)\b|\bhow to\b|\b(?:what|which)(?:'s| is| are)?(?: the)? (?:[\w.-]+ ){0,2}(?:command|option|flag|function|method|setting|parameter|call|api|argument|property|event|header|switch|environment variable|variable|syntax|code)s?\b|\bwhat (?:do|should) (?:i|you|we) (?:pass|call|use|run|set|type)\b/i;
const NAME_QUESTION = /\bwho\b|\bwhose\b/i;
const DATE_QUESTION =
  /\b(?:what|which|on what) (?:date|day|month|year)\b|\bwhen (?:will|was|is|did|does)\b[^?]*\b(?:released?|launch(?:ed)?|publish(?:ed)?|due|ship(?:ped)?)\b/i;

export function answerTypeOf(question: string): AnswerType {
  if (INSTRUCTION_QUESTION.test(question)) return "instruction";
  if (DATE_QUESTION.test(question)) return "date";
  if (NUMBER_QUESTION.test(question)) return "number";
  if (NAME_QUESTION.test(question)) return "name";
  return "any";
}

/** A quantity: a digit, or a number word a document might spell out. */
const NUMBER =
  /\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|million|billion|half|once|twice|unlimited|infinity|zero|none|no limit)\b/i;
/** A point in time: a month or weekday name, a year, an ISO or numeric date, a quarter. */
const DATE =
  /\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tomorrow|yesterday)\b|\b(?:19|20)\d{2}\b|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\bQ[1-4]\b/i;
/** Something to type or call: code in backticks, a flag, a call, a key: value, a shell prompt, a dotted name. */
const INSTRUCTION =
  /`[^`]+`|(?:^|\s)--?[a-zA-Z][\w-]*|\b[\w$.]+\(|\{\s*[\w'"]+\s*:|^\s*\$ |\b[a-z_$][\w$]*\.[a-z_$][\w$]*\b|\b(?:set|pass|call|use|run|add|enable|disable)\b/im;
/** A proper name: two capitalised words in a row, or a handle. */
const NAME = /\b\p{Lu}[\p{L}'-]+\s+\p{Lu}[\p{L}'-]+|@\w+/u;

/** Whether a sentence holds the kind of answer the question asks for (always true for "any"). */
export function hasAnswerType(type: AnswerType, sentence: string): boolean {
  switch (type) {
    case "number":
      return NUMBER.test(sentence);
    case "date":
      return DATE.test(sentence);
    case "instruction":
      return INSTRUCTION.test(sentence);
    case "name":
      return NAME.test(sentence);
    case "any":
      return true;
  }
}
