// sample-script: the ready-made script connector seeded on first start. It shows
// the floh API end to end without any external service: params, config,
// variables, logging, and protocol 2.0 results (payload, variables, diagnostics).

var EMPLOYEES = [
  { id: "e-100", email: "ada@example.com", name: "Ada Lovelace", department: "engineering" },
  { id: "e-101", email: "grace@example.com", name: "Grace Hopper", department: "engineering" },
  { id: "e-102", email: "mary@example.com", name: "Mary Jackson", department: "research" },
  { id: "e-103", email: "katherine@example.com", name: "Katherine Johnson", department: "research" },
  { id: "e-104", email: "frances@example.com", name: "Frances Allen", department: "operations" },
];

// Connectivity check: reports the version and how much data there is.
function test() {
  floh.log.info("sample-script test command");
  return {
    success: true,
    payload: { version: floh.config.version || "1.0.0", employeeCount: EMPLOYEES.length },
  };
}

// Find one employee by id or email.
function lookupEmployee() {
  var id = floh.params.id;
  var email = floh.params.email;
  if (!id && !email) {
    return {
      success: false,
      error: "lookupEmployee needs an id or an email",
      diagnostics: { received: Object.keys(floh.params) },
    };
  }
  var match = EMPLOYEES.find(function (e) {
    return (id && e.id === id) || (email && e.email.toLowerCase() === String(email).toLowerCase());
  });
  if (!match) {
    floh.log.warn("no employee for " + (id || email));
    return { success: false, error: "Employee not found", diagnostics: { id: id, email: email } };
  }
  return { success: true, payload: match, variables: { employeeId: match.id } };
}

// List employees, optionally of one department, at most `limit`.
function listEmployees() {
  var department = floh.params.department;
  var limit = Number(floh.params.limit) || EMPLOYEES.length;
  var list = EMPLOYEES.filter(function (e) {
    return !department || e.department === department;
  }).slice(0, limit);
  floh.log.debug("listing " + list.length + " employees");
  return {
    success: true,
    payload: { employees: list, total: list.length },
    variables: { employeeCount: list.length },
  };
}

// Pretend to create an employee after validating the input.
function createEmployee() {
  var p = floh.params;
  var problems = [];
  if (!p.name) problems.push("name is required");
  if (!p.email || String(p.email).indexOf("@") < 1) problems.push("email must be an address");
  if (EMPLOYEES.some(function (e) { return e.email === p.email; })) {
    problems.push("email is already taken");
  }
  if (problems.length > 0) {
    return { success: false, error: "Invalid employee: " + problems.join("; "), diagnostics: { problems: problems } };
  }
  var created = {
    id: "e-" + (200 + EMPLOYEES.length),
    name: p.name,
    email: p.email,
    department: p.department || "unassigned",
    simulated: true,
  };
  floh.log.info("created employee " + created.id + " (simulated)");
  return { success: true, payload: created, variables: { employeeId: created.id } };
}

// Returns everything the script was called with.
function echo() {
  return {
    success: true,
    payload: { params: floh.params, config: floh.config, variables: floh.variables },
  };
}
