function listContacts() {
  var url = floh.config.baseUrl + "/api/contacts";
  url += "?limit=" + (floh.params.limit || 50);
  url += "&offset=" + (floh.params.offset || 0);
  var resp = floh.http.get(url, {
    Authorization: "Bearer " + floh.config.apiKey,
  });
  if (resp.status >= 400) {
    return { success: false, error: "API returned " + resp.status };
  }
  return {
    success: true,
    payload: { contacts: resp.body.data, total: resp.body.total },
    variables: { contactCount: resp.body.total },
  };
}

function createContact() {
  var resp = floh.http.post(
    floh.config.baseUrl + "/api/contacts",
    JSON.stringify({
      email: floh.params.email,
      first_name: floh.params.firstName,
      last_name: floh.params.lastName,
    }),
    { Authorization: "Bearer " + floh.config.apiKey },
  );
  if (resp.status >= 400) {
    return { success: false, error: "Failed to create contact: " + resp.status };
  }
  return { success: true, payload: { contactId: resp.body.id } };
}

function test() {
  var resp = floh.http.get(floh.config.baseUrl + "/api/health", {
    Authorization: "Bearer " + floh.config.apiKey,
  });
  return { success: resp.status < 400 };
}
