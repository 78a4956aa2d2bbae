// Check a rendered story page with structured-data-testing-tool's Google, Twitter and
// Facebook presets, plus the page's own schema. Reads the HTML file named in argv[2]; the
// schema to require is argv[3]. Prints the result as JSON for the Python test to assert on.
const fs = require("fs");
const { structuredDataTest } = require("structured-data-testing-tool");
const { Google, Twitter, Facebook } = require("structured-data-testing-tool/presets");

const html = fs.readFileSync(process.argv[2]);
const schema = process.argv[3];

function summary(result) {
  const describe = (test) => ({
    test: test.test,
    description: test.description || "",
    group: test.group || "",
    error: test.error ? String(test.error.message || test.error) : "",
  });
  return {
    passed: result.passed.map(describe),
    failed: result.failed.map(describe),
    warnings: result.warnings.map(describe),
    schemas: result.schemas,
  };
}

structuredDataTest(html, { presets: [Google, Twitter, Facebook], schemas: [schema] })
  .then((result) => console.log(JSON.stringify(summary(result))))
  .catch((error) => {
    if (error.type === "VALIDATION_FAILED") {
      console.log(JSON.stringify(summary(error.res)));
    } else {
      console.error(String(error));
      process.exit(2);
    }
  });
