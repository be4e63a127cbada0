#!/usr/bin/env bash
# Rebuilds common-passwords.txt from the zxcvbn-ts npm packages (MIT) plus
# additions.txt. Needs npm, node and tar; writes next to this script.
#
#   bash adapters/auth/data/build-list.sh
set -euo pipefail

COMMON=@zxcvbn-ts/language-common@4.1.3
GERMAN=@zxcvbn-ts/language-de@3.0.2

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm pack --silent "$COMMON" "$GERMAN" >/dev/null
mkdir common de
tar -xzf zxcvbn-ts-language-common-*.tgz -C common
tar -xzf zxcvbn-ts-language-de-*.tgz -C de

# Lists taken: the common passwords, German common words, German first names.
# Not taken: language-common's diceware list (random English words, not
# passwords), language-de's lastnames and wikipedia (word frequencies of
# articles, including markup tokens).
node - common/package/src/passwords.json \
    de/package/src/commonWords.json \
    de/package/src/firstnames.json \
    "$here/additions.txt" >list.txt <<'JS'
const fs = require('fs');
const [, , ...files] = process.argv;
const additions = files.pop();
const entries = files.flatMap((f) => JSON.parse(fs.readFileSync(f, 'utf8')));
for (const line of fs.readFileSync(additions, 'utf8').split('\n')) {
  const t = line.trim();
  if (t !== '' && !t.startsWith('#')) entries.push(t);
}
const out = new Set();
const keep = (w) => {
  // At least 3 characters (the shortest word core that zeugnis-core looks
  // up), no whitespace or control characters.
  if ([...w].length >= 3 && !/[\s\p{Cc}]/u.test(w)) out.add(w);
};
for (const raw of entries) {
  const w = String(raw).normalize('NFC').toLowerCase();
  keep(w);
  // German words are often typed without umlauts and sharp s.
  if (/[äöüß]/.test(w)) {
    keep(w.replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/ß/g, 'ss'));
  }
}
process.stdout.write([...out].join('\n') + '\n');
JS

LC_ALL=C sort -u list.txt >"$here/common-passwords.txt"
echo "$(wc -l <"$here/common-passwords.txt") entries written to $here/common-passwords.txt"
