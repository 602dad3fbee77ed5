// A CSV reader for import files (RFC 4180: comma-separated, fields optionally in double quotes
// with "" for a quote, CRLF or LF line ends, an optional UTF-8 byte-order mark).

export interface CsvRow {
  // 1-based line number of the row's first line in the file.
  line: number;
  values: Record<string, string>;
}

// Splits the text into records of fields; a quoted field may span lines.
function records(text: string): { line: number; fields: string[] }[] {
  const out: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let fieldText = "";
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  const endRecord = () => {
    fields.push(fieldText);
    if (fields.length > 1 || fields[0] !== "") out.push({ line: recordLine, fields });
    fields = [];
    fieldText = "";
    recordLine = line;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        fieldText += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        if (c === "\n") line++;
        fieldText += c;
      }
    } else if (c === '"' && fieldText === "") {
      quoted = true;
    } else if (c === ",") {
      fields.push(fieldText);
      fieldText = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      line++;
      endRecord();
    } else {
      fieldText += c;
    }
  }
  if (fieldText !== "" || fields.length > 0) endRecord();
  return out;
}

// Parses CSV text with a header row. Throws an Error naming the missing columns when a
// required column is absent.
export function parseCsv(text: string, required: string[]): CsvRow[] {
  const all = records(text.replace(/^\uFEFF/, ""));
  if (all.length === 0) throw new Error("the file is empty");
  const header = all[0].fields.map((name) => name.trim());
  const missing = required.filter((name) => !header.includes(name));
  if (missing.length > 0) throw new Error(`missing column(s): ${missing.join(", ")}`);
  return all.slice(1).map(({ line, fields }) => ({
    line,
    values: Object.fromEntries(header.map((name, i) => [name, (fields[i] ?? "").trim()])),
  }));
}

// Quotes a value for a CSV report.
export function csvField(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}
