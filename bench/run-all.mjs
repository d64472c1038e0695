// `npm run bench`: every benchmark in turn.
for (const name of ['lang', 'runtime']) {
  console.log(`\n== bench:${name}`);
  await import(`./${name}.mjs`);
}
