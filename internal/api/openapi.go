package api

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"sync"
)

// The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json and
// read by the API page (/api). It is built here, next to the routes, from
// one table of operations; internal/web's TestOpenAPIContract sends every
// operation real requests through the server and validates each request
// and answer against it with kin-openapi (openapi3filter, which uses JSON
// Schema 2020-12 for 3.1 documents), and fails when a route exists that
// the document lacks or the other way round. Nullable values are written
// the 3.1 way, as a type array with "null".

// Operation is one documented route.
type Operation struct {
	Method, Path string
	// Summary and Description are for the API page.
	Summary, Description string
	// Tag groups operations on the API page.
	Tag string
	// Auth is "token" (a personal API token), "store" (a store key or a
	// grant token), "client" (store client credentials) or "" (none).
	Auth string
	// Params are the query parameters (path parameters are derived).
	Params []Param
	// Body is the JSON request schema (nil: no body); BodyType overrides
	// application/json.
	Body     map[string]any
	BodyType string
	// Responses maps a status to its JSON schema (nil: no body); RawType
	// is the type of a 200 answer that is not JSON (beside the JSON one
	// when the 200 also has a schema: an answer in either form).
	Responses map[int]map[string]any
	RawType   string
}

// Param is a query parameter.
type Param struct {
	Name, Description string
	Schema            map[string]any
	Required          bool
}

func obj(required []string, props map[string]any) map[string]any {
	o := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func strict(required []string, props map[string]any) map[string]any {
	o := obj(required, props)
	o["additionalProperties"] = false
	return o
}

var (
	tStr    = map[string]any{"type": "string"}
	tInt    = map[string]any{"type": "integer"}
	tNum    = map[string]any{"type": "number"}
	tBool   = map[string]any{"type": "boolean"}
	tTime   = map[string]any{"type": "string", "format": "date-time"}
	tAny    = map[string]any{}
	tObject = map[string]any{"type": "object"}
)

func null(t string) map[string]any { return map[string]any{"type": []string{t, "null"}} }
func nullTime() map[string]any {
	return map[string]any{"type": []string{"string", "null"}, "format": "date-time"}
}
func arr(items map[string]any) map[string]any { return map[string]any{"type": "array", "items": items} }
func nullArr(items map[string]any) map[string]any {
	return map[string]any{"type": []string{"array", "null"}, "items": items}
}
func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }
func enum(vals ...string) map[string]any {
	return map[string]any{"type": "string", "enum": vals}
}

// schemas are the platform's components, built when the document is.
func schemas() map[string]any {
	return map[string]any{
		"Error": strict([]string{"error"}, map[string]any{"error": strict([]string{"code", "message"}, map[string]any{
			"code": tStr, "message": tStr})}),
		"OAuthError": obj([]string{"error"}, map[string]any{"error": tStr, "error_description": tStr}),
		"Pattern": obj([]string{"id", "name", "keywords", "formats"}, map[string]any{
			"id": tInt, "name": tStr, "designer": tStr, "designer_url": tStr, "notes": tStr, "source": tStr,
			"purchased_on": nullTime(), "type": tStr, "type_name": tStr, "type_confidence": tNum,
			"width_in": null("number"), "height_in": null("number"), "stitch_length_in": null("number"),
			"paths": null("integer"), "jumps": null("integer"), "thumb_state": tStr, "mirror_lr": null("number"), "mirror_tb": null("number"),
			"suggested_rotation": tInt, "rotation_confidence": tNum, "orientation": tStr, "batch_id": null("integer"),
			"view_count": tInt, "download_count": tInt, "created_at": tTime, "updated_at": tTime,
			"keywords": nullArr(tStr), "favorite": tBool, "formats": nullArr(tStr),
			"score": tNum, "matched": nullArr(tStr)}),
		"Import": obj([]string{"id", "status"}, map[string]any{"id": tInt, "status": tStr, "files": tInt, "designs_total": tInt,
			"designs_done": tInt, "created": tInt, "merged": tInt, "duplicates": tInt,
			"failed": arr(obj([]string{"file", "reason"}, map[string]any{"file": tStr, "reason": tStr})),
			"error":  tStr, "created_at": tTime, "finished_at": nullTime(),
			"held":    map[string]any{"type": "string", "description": "Present when the import is held over the plan's limit (status staged): why, and how to upgrade. Its designs are kept and added after an upgrade."},
			"waiting": tStr}),
		"Share": obj([]string{"id", "name"}, map[string]any{"id": tInt, "name": tStr, "recipient_name": tStr, "created_at": tTime,
			"expires_at": tTime, "status": tStr, "voters": tInt, "pattern_ids": nullArr(tInt)}),
		"SavedSearch": obj([]string{"id", "name", "query"}, map[string]any{"id": tInt, "name": tStr, "query": tStr,
			"filters": tObject, "pinned": tBool, "created_at": tTime}),
		"Tenant": obj([]string{"id", "slug", "name", "plan", "status"}, map[string]any{"id": tInt, "slug": tStr, "name": tStr,
			"plan": tStr, "status": enum("active", "suspended", "deleted"), "created_at": tTime, "designs": tInt,
			"role": enum("owner", "editor", "viewer"), "owner_email": tStr, "members": tInt, "storage_bytes": tInt,
			"last_activity": nullTime()}),
		"ImportRequest": strict([]string{"pattern_name"}, map[string]any{
			"user_email":    map[string]any{"type": "string", "description": "Deliver into the Inbox of the account with this verified address (a store key only). Without it (and without a grant) the answer carries a claim_url."},
			"pattern_name":  map[string]any{"type": "string", "minLength": 1, "maxLength": 300},
			"file_url":      map[string]any{"type": "string", "description": "https URL of the design file or ZIP, on one of the store's allowed file hosts."},
			"thumbnail_url": map[string]any{"type": "string", "description": "https URL of a PNG or JPEG picture of the design."},
			"source":        map[string]any{"type": "string", "maxLength": 200},
			"purchase_date": map[string]any{"type": "string", "description": "2026-03-14 or an RFC 3339 time."},
			"keywords":      map[string]any{"type": "array", "items": tStr, "maxItems": 30},
			"files":         map[string]any{"type": "array", "items": tStr, "maxItems": 20, "description": "More URLs: individual formats or ZIPs of the same design."},
			"order_id":      map[string]any{"type": "string", "maxLength": 200},
			"sku":           map[string]any{"type": "string", "maxLength": 200},
			"licence_text":  map[string]any{"type": "string", "maxLength": 20000},
			"callback_url":  map[string]any{"type": "string", "description": "https URL told (signed, see the API page) when the delivery ends."},
		}),
		"Delivery": strict([]string{"id", "status", "link", "idempotency_key", "designs", "created_at"}, map[string]any{
			"id":              tInt,
			"status":          enum("fetching", "waiting", "importing", "delivered", "failed", "declined"),
			"link":            enum("grant", "claim", "email"),
			"idempotency_key": tStr, "reason_code": tStr, "reason": tStr, "designs": tInt,
			"created_at": tTime, "updated_at": tTime, "landed_at": nullTime(),
			"claim_url": map[string]any{"type": "string", "description": "One-time link that lands the delivery in whoever opens it's library."},
		}),
		"InboxDelivery": obj([]string{"id", "store", "pattern_name"}, map[string]any{"id": tInt, "store": tStr, "pattern_name": tStr,
			"designs": nullArr(tStr), "order_id": tStr, "sku": tStr, "purchase_date": tStr, "created_at": tTime}),
		"Export": obj([]string{"id", "status", "designs_total", "designs_done", "bytes", "created_at"}, map[string]any{
			"id": tInt, "status": tStr, "machine": tStr, "designs_total": tInt, "designs_done": tInt, "bytes": tInt,
			"created_at": tTime, "finished_at": nullTime(), "expires_at": nullTime(), "mailed_when_ready": tBool, "error": tStr,
			"download_url": map[string]any{"type": "string", "description": "Where the ZIP is, once status is done."}}),
		"Billing": obj([]string{"plan", "status", "mode", "usage"}, map[string]any{"plan": enum("starter", "professional", "business"),
			"plan_name": tStr, "status": tStr, "mode": enum("stripe", "manual"), "interval": tStr, "amount_cents": tInt, "founding": tBool,
			"trial_ends_at": nullTime(), "trial_days_left": tInt, "grace_ends_at": nullTime(), "read_only": tBool, "reason": tStr,
			"usage":  map[string]any{"type": "object", "additionalProperties": obj([]string{"used", "limit"}, map[string]any{"used": tInt, "limit": null("integer")})},
			"staged": map[string]any{"type": "object", "additionalProperties": tInt}, "features": map[string]any{"type": "object", "additionalProperties": tBool}}),
		"Token": obj([]string{"access_token", "token_type", "expires_in", "refresh_token"}, map[string]any{
			"access_token": tStr, "token_type": enum("Bearer"), "expires_in": tInt, "refresh_token": tStr, "scope": tStr}),
	}
}

func errResponses(codes ...int) map[int]map[string]any {
	m := map[int]map[string]any{}
	for _, c := range codes {
		m[c] = ref("Error")
	}
	return m
}

func with(m map[int]map[string]any, status int, schema map[string]any) map[int]map[string]any {
	m[status] = schema
	return m
}

// operations is the whole API, in the order of the API page.
func operations() []Operation {
	id := func(what string) string { return "The " + what + "'s id." }
	_ = id
	pageParams := []Param{
		{Name: "q", Description: "Words to search for (results best first, with score and matched words).", Schema: tStr},
		{Name: "keyword", Schema: tStr}, {Name: "type", Schema: tStr}, {Name: "format", Schema: tStr},
		{Name: "sort", Schema: tStr}, {Name: "favorites", Schema: tStr}, {Name: "cursor", Schema: tStr},
		{Name: "limit", Schema: tStr},
	}
	std := func(extra ...int) map[int]map[string]any {
		return errResponses(append([]int{401, 403, 429, 500, 503}, extra...)...)
	}
	ops := []Operation{
		{Method: "GET", Path: "/me", Tag: "Account", Auth: "token", Summary: "Who the token acts as",
			Responses: with(std(), 200, obj([]string{"id", "email", "tenant", "role"}, map[string]any{"id": tInt, "email": tStr, "name": tStr,
				"slug": tStr, "role": tStr, "tenant": obj([]string{"id", "slug", "name"}, map[string]any{"id": tInt, "slug": tStr, "name": tStr})}))},
		{Method: "POST", Path: "/imports", Tag: "Library", Auth: "token", Summary: "Upload designs (multipart, field \"file\")",
			BodyType: "multipart/form-data", Body: obj(nil, map[string]any{"file": arr(map[string]any{"type": "string", "contentMediaType": "application/octet-stream"})}),
			Description: "Always accepted when the files are readable: over the plan's design or storage limit, or in a read-only workspace, the import is held (status staged, with held saying why) and its designs are kept, never dropped.",
			Responses:   with(std(400, 413), 202, obj([]string{"id", "status"}, map[string]any{"id": tInt, "status": tStr, "held": tStr}))},
		{Method: "GET", Path: "/imports/{id}", Tag: "Library", Auth: "token", Summary: "An upload's progress",
			Responses: with(std(404), 200, ref("Import"))},
		{Method: "GET", Path: "/patterns", Tag: "Library", Auth: "token", Summary: "List or search designs", Params: pageParams,
			Responses: with(std(400), 200, obj([]string{"patterns"}, map[string]any{"patterns": nullArr(ref("Pattern")), "next_cursor": tStr,
				"total": tInt, "did_you_mean": tStr, "related": arr(ref("Pattern"))}))},
		{Method: "POST", Path: "/patterns/import", Tag: "Stores", Auth: "store", Summary: "Deliver a purchased design (Send to Pattern Manager)",
			Description: "Records a delivery and fetches its files in the background; 202 with the delivery at once. Send an Idempotency-Key header (or an order_id): the same key returns the same delivery. With a grant token the design lands in the connected quilter's workspace (or her Inbox if she chose to review); with a store key and user_email it waits in the Inbox of that verified address; with neither, the answer's claim_url lands it in the account of whoever opens it. URLs must be https on the store's allowed file hosts; private, loopback, link-local and metadata addresses are refused (422 url_refused) and nothing is fetched.",
			Params:      []Param{{Name: "Idempotency-Key", Description: "header: makes a retry return the same delivery", Schema: tStr}},
			Body:        ref("ImportRequest"),
			Responses:   with(with(std(400, 409, 422), 202, ref("Delivery")), 200, ref("Delivery"))},
		{Method: "GET", Path: "/patterns/{id}", Tag: "Library", Auth: "token", Summary: "One design",
			Responses: with(std(404), 200, ref("Pattern"))},
		{Method: "PATCH", Path: "/patterns/{id}", Tag: "Library", Auth: "token", Summary: "Edit a design",
			Body:      obj(nil, map[string]any{"name": tStr, "designer": tStr, "designer_url": tStr, "notes": tStr, "source": tStr, "type": tStr, "keywords": arr(tStr)}),
			Responses: with(std(400, 404, 422), 200, ref("Pattern"))},
		{Method: "DELETE", Path: "/patterns/{id}", Tag: "Library", Auth: "token", Summary: "Move a design to the bin (undoable)",
			Responses: with(std(404), 200, obj([]string{"deleted"}, map[string]any{"deleted": tInt, "undo_activity": tInt}))},
		{Method: "GET", Path: "/patterns/{id}/thumbnail", Tag: "Library", Auth: "token", Summary: "A design's thumbnail (PNG)", RawType: "image/png",
			Params:    []Param{{Name: "size", Schema: tStr}},
			Responses: with(std(404), 200, nil)},
		{Method: "GET", Path: "/patterns/{id}/download", Tag: "Library", Auth: "token", Summary: "Download a design, converted when asked", RawType: "application/octet-stream",
			Params:    []Param{{Name: "format", Schema: tStr}},
			Responses: with(std(404, 422), 200, nil)},
		{Method: "POST", Path: "/kits", Tag: "Library", Auth: "token", Summary: "A machine kit: the designs as a ZIP for one machine",
			Description: "Each design in the machine's format (its original when there is one, else a conversion), scaled to width_in or height_in keeping its aspect (or its own size when neither is given), with the designer's notes and licence files and a printable one-page sheet (HTML) per design. Names are ASCII, at most 64 characters and unique. Designs the machine cannot take are listed in README.txt. With job_id instead of pattern_ids (owners and editors), the job's designs at their own size, each sheet with the quilt, its rows, stitching and thread.",
			RawType:     "application/zip",
			Body: strict([]string{"machine"}, map[string]any{"pattern_ids": arr(tInt), "machine": tStr,
				"width_in": tNum, "height_in": tNum, "job_id": tInt}),
			Responses: with(std(400, 403, 404, 422), 200, nil)},
		{Method: "GET", Path: "/patterns/{id}/files", Tag: "Library", Auth: "token", Summary: "A design's files",
			Responses: with(std(404), 200, obj([]string{"files"}, map[string]any{"files": nullArr(tObject)}))},
		{Method: "GET", Path: "/patterns/{id}/similar", Tag: "Library", Auth: "token", Summary: "Designs that look like this one",
			Responses: with(std(404), 200, obj([]string{"patterns"}, map[string]any{"patterns": arr(obj([]string{"id", "name"}, map[string]any{"id": tInt, "name": tStr, "score": tNum, "why": tAny}))}))},
		{Method: "POST", Path: "/patterns/{id}/keywords", Tag: "Library", Auth: "token", Summary: "Add keywords",
			Body:      obj([]string{"keywords"}, map[string]any{"keywords": arr(tStr)}),
			Responses: with(std(400, 404, 422), 200, ref("Pattern"))},
		{Method: "DELETE", Path: "/patterns/{id}/keywords/{name}", Tag: "Library", Auth: "token", Summary: "Remove a keyword",
			Responses: with(std(404, 422), 204, nil)},
		{Method: "GET", Path: "/keywords", Tag: "Library", Auth: "token", Summary: "Every keyword with its count",
			Responses: with(std(), 200, obj([]string{"keywords"}, map[string]any{"keywords": nullArr(tObject)}))},
		{Method: "GET", Path: "/saved-searches", Tag: "Library", Auth: "token", Summary: "Saved searches",
			Responses: with(std(), 200, obj([]string{"saved_searches"}, map[string]any{"saved_searches": nullArr(ref("SavedSearch"))}))},
		{Method: "POST", Path: "/saved-searches", Tag: "Library", Auth: "token", Summary: "Save a search",
			Body:      obj(nil, map[string]any{"name": tStr, "query": tStr, "filters": tObject, "pinned": tBool}),
			Responses: with(std(400, 422), 201, ref("SavedSearch"))},
		{Method: "DELETE", Path: "/saved-searches/{id}", Tag: "Library", Auth: "token", Summary: "Forget a saved search",
			Responses: with(std(404), 204, nil)},
		{Method: "POST", Path: "/shares", Tag: "Share links", Auth: "token", Summary: "Make a share link for a customer",
			Body: obj([]string{"pattern_ids", "name"}, map[string]any{"pattern_ids": arr(tInt), "name": tStr, "recipient_name": tStr,
				"recipient_email": tStr, "message": tStr, "expires_in_days": tInt, "allow_download": tBool, "show_designer": tBool, "voting_mode": tStr}),
			Responses: with(std(400, 404, 422), 201, obj([]string{"id", "url"}, map[string]any{"id": tInt, "url": tStr, "expires_at": tTime}))},
		{Method: "GET", Path: "/shares", Tag: "Share links", Auth: "token", Summary: "Share links",
			Responses: with(std(), 200, obj([]string{"shares"}, map[string]any{"shares": arr(ref("Share"))}))},
		{Method: "GET", Path: "/shares/{id}/results", Tag: "Share links", Auth: "token", Summary: "A share link's votes",
			Responses: with(std(404), 200, obj([]string{"share", "votes"}, map[string]any{"share": ref("Share"), "voters": nullArr(tAny), "designs": nullArr(tObject), "votes": nullArr(tObject)}))},
		{Method: "POST", Path: "/shares/{id}/revoke", Tag: "Share links", Auth: "token", Summary: "Stop a share link",
			Responses: with(std(404), 200, obj([]string{"id", "status"}, map[string]any{"id": tInt, "status": tStr}))},
		{Method: "POST", Path: "/exports", Tag: "Backups", Auth: "token", Summary: "Export the whole workspace as one ZIP (owner)",
			Description: "Made in the background: 202 with the export, then poll it. The ZIP holds every design's original files byte-exact in a folder of its own (plus the design in the machine format asked for, when the original is not in it), an offline index.html and manifest.json (every row of the workspace, see docs/manifest.md). Large exports are also mailed when ready.",
			Body:        strict(nil, map[string]any{"machine": map[string]any{"type": "string", "description": "A quilting machine's name (statler, …): its format is added for each design that lacks it."}}),
			Responses:   with(std(400, 409, 422), 202, ref("Export"))},
		{Method: "GET", Path: "/exports/{id}", Tag: "Backups", Auth: "token", Summary: "An export's progress (owner)",
			Responses: with(std(404), 200, ref("Export"))},
		{Method: "GET", Path: "/exports/{id}/download", Tag: "Backups", Auth: "token", Summary: "Download a finished export (owner)", RawType: "application/zip",
			Responses: with(std(404, 409, 410), 200, nil)},
		{Method: "GET", Path: "/deliveries/{id}", Tag: "Stores", Auth: "store", Summary: "A delivery's state",
			Description: "status is fetching, waiting (in the quilter's Inbox or behind a claim link: the two look the same so that no store learns who has an account), importing, delivered, failed (reason_code and reason say why) or declined.",
			Responses:   with(std(404), 200, ref("Delivery"))},
		{Method: "GET", Path: "/store/owned", Tag: "Stores", Auth: "store", Summary: "You already own this: does the connected quilter own a SKU of this store?",
			Description: "Only with a grant token (403 grant_required with a store key).",
			Params:      []Param{{Name: "sku", Schema: tStr, Required: true}},
			Responses:   with(std(422), 200, obj([]string{"sku", "owned"}, map[string]any{"sku": tStr, "owned": tBool}))},
		{Method: "POST", Path: "/oauth/token", Tag: "Stores", Auth: "client", Summary: "Exchange a consent code (PKCE) or a refresh token for a grant token",
			Description: "OAuth 2.0 token endpoint (RFC 6749, RFC 7636). client_id is store_<id>, client_secret one of the store's live keys (HTTP Basic or form). The consent page is /oauth/authorize (response_type=code, code_challenge_method=S256).",
			BodyType:    "application/x-www-form-urlencoded",
			Body: obj([]string{"grant_type"}, map[string]any{"grant_type": enum("authorization_code", "refresh_token"), "code": tStr,
				"redirect_uri": tStr, "code_verifier": tStr, "refresh_token": tStr, "client_id": tStr, "client_secret": tStr}),
			Responses: map[int]map[string]any{200: ref("Token"), 400: ref("OAuthError"), 401: ref("OAuthError"), 429: ref("OAuthError"), 500: ref("Error"), 503: ref("Error")}},
		{Method: "GET", Path: "/inbox", Tag: "Inbox", Auth: "token", Summary: "Deliveries waiting for the token's person",
			Responses: with(std(), 200, obj([]string{"deliveries"}, map[string]any{"deliveries": arr(ref("InboxDelivery"))}))},
		{Method: "POST", Path: "/inbox/{id}/accept", Tag: "Inbox", Auth: "token", Summary: "Accept a delivery into the token's workspace",
			Responses: with(std(404), 202, obj([]string{"id", "status"}, map[string]any{"id": tInt, "status": tStr, "tenant": tStr}))},
		{Method: "POST", Path: "/inbox/{id}/decline", Tag: "Inbox", Auth: "token", Summary: "Decline a delivery (the store is told)",
			Responses: with(std(404), 200, obj([]string{"id", "status"}, map[string]any{"id": tInt, "status": tStr}))},
		{Method: "GET", Path: "/tenants/{slug}", Tag: "Workspaces", Auth: "token", Summary: "The token's workspace",
			Responses: with(std(404), 200, ref("Tenant"))},
		{Method: "PATCH", Path: "/tenants/{slug}", Tag: "Workspaces", Auth: "token", Summary: "Rename the workspace (owner)",
			Body:      strict(nil, map[string]any{"name": tStr, "slug": tStr}),
			Responses: with(std(400, 404, 409, 422), 200, ref("Tenant"))},
		{Method: "DELETE", Path: "/tenants/{slug}", Tag: "Workspaces", Auth: "token", Summary: "Delete the workspace (owner)",
			Description: "Confirm with the workspace's name. The workspace is paused at once (its export of everything is made and mailed to its owners) and deleted for good after 30 days, with its designs, files, share links and backups; until then an owner or the platform admin can cancel from Settings → Danger. A wrong name is 422 wrong_name and changes nothing.",
			Body:        strict([]string{"confirm"}, map[string]any{"confirm": map[string]any{"type": "string", "description": "The workspace's name, as shown."}}),
			Responses: with(std(400, 404, 422), 202, obj([]string{"slug", "status", "delete_after"}, map[string]any{
				"slug": tStr, "status": enum("suspended"), "delete_after": tTime}))},
		{Method: "GET", Path: "/tenants/{slug}/members", Tag: "Workspaces", Auth: "token", Summary: "Members (and, for owners, open invitations)",
			Responses: with(std(404), 200, obj([]string{"members"}, map[string]any{
				"members":     arr(obj([]string{"id", "email", "role"}, map[string]any{"id": tInt, "email": tStr, "name": tStr, "role": enum("owner", "editor", "viewer")})),
				"invitations": arr(obj([]string{"id", "email", "role"}, map[string]any{"id": tInt, "email": tStr, "role": tStr, "expires_at": tTime}))}))},
		{Method: "POST", Path: "/tenants/{slug}/members", Tag: "Workspaces", Auth: "token", Summary: "Invite someone (owner)",
			Body:      strict([]string{"email", "role"}, map[string]any{"email": tStr, "role": enum("owner", "editor", "viewer")}),
			Responses: with(std(400, 404, 422), 202, obj([]string{"invited", "role"}, map[string]any{"invited": tStr, "role": tStr}))},
		{Method: "PATCH", Path: "/tenants/{slug}/members/{id}", Tag: "Workspaces", Auth: "token", Summary: "Change a member's role (owner)",
			Body:      strict([]string{"role"}, map[string]any{"role": enum("owner", "editor", "viewer")}),
			Responses: with(std(400, 404, 409, 422), 200, obj([]string{"id", "role"}, map[string]any{"id": tInt, "role": tStr}))},
		{Method: "DELETE", Path: "/tenants/{slug}/members/{id}", Tag: "Workspaces", Auth: "token", Summary: "Remove a member (owner)",
			Responses: with(std(404, 409), 204, nil)},
		{Method: "POST", Path: "/invitations/{token}/accept", Tag: "Workspaces", Auth: "token", Summary: "Accept an invitation as the token's person",
			Responses: with(std(404, 410), 200, ref("Tenant"))},
		{Method: "GET", Path: "/admin/tenants", Tag: "Platform admin", Auth: "token", Summary: "Every workspace (platform admin)",
			Params:    []Param{{Name: "after", Schema: tStr}, {Name: "limit", Schema: tStr}},
			Responses: with(std(), 200, obj([]string{"tenants"}, map[string]any{"tenants": arr(ref("Tenant")), "next": tStr}))},
		{Method: "GET", Path: "/admin/metrics", Tag: "Platform admin", Auth: "token", Summary: "Headline numbers (platform admin)",
			Responses: with(std(), 200, obj([]string{"tenants_active", "users"}, map[string]any{"tenants_active": tInt, "tenants_suspended": tInt,
				"users": tInt, "users_verified": tInt, "signups_last_30_days": tInt, "active_sessions": tInt, "stores": tInt,
				"deliveries_this_month": tInt, "delivered_designs_this_month": tInt, "month_start": tTime}))},
		{Method: "POST", Path: "/admin/tenants/{slug}/suspend", Tag: "Platform admin", Auth: "token", Summary: "Pause a workspace (platform admin, audited)",
			Responses: with(std(404), 200, ref("Tenant"))},
		{Method: "GET", Path: "/billing", Tag: "Billing", Auth: "token", Summary: "The workspace's plan, status, trial end, usage and limits",
			Description: "usage maps designs, bytes (stored files), members (with open invitations), share_links (active) and remote_searches (this month) to {used, limit}; limit is null when the plan has none. trial_ends_at is set while the workspace is on its trial or after the trial expired, null once it is on a plan. mode is stripe or manual (the administrator sets plans).",
			Responses:   with(std(), 200, ref("Billing"))},
		{Method: "POST", Path: "/billing/checkout", Tag: "Billing", Auth: "token", Summary: "Subscribe: the address of a Stripe Checkout page (owner)",
			Description: "An Idempotency-Key header makes a repeated request the same session. 409 manual_billing when this PatternVault has no Stripe keys.",
			Params:      []Param{{Name: "Idempotency-Key", Description: "header: makes a retry the same Checkout session", Schema: tStr}},
			Body:        strict([]string{"plan"}, map[string]any{"plan": enum("starter", "professional", "business"), "interval": enum("year", "month")}),
			Responses:   with(std(400, 409, 422), 200, strict([]string{"url"}, map[string]any{"url": tStr}))},
		{Method: "POST", Path: "/billing/portal", Tag: "Billing", Auth: "token", Summary: "Manage the subscription: the address of a new Stripe Customer Portal page (owner)",
			Description: "Card, invoices and receipts, cancelling. 409 when the workspace has no Stripe subscription yet or billing is manual.",
			Responses:   with(std(409), 200, strict([]string{"url"}, map[string]any{"url": tStr}))},
	}
	ops = append(ops, businessOperations(std)...)
	ops = append(ops, Operation{Method: "GET", Path: "/openapi.json", Tag: "About", Summary: "This document", Responses: map[int]map[string]any{200: tObject}})
	// A change with a token may meet the plan: 402 plan_limit (over a
	// counted limit, with how to upgrade), plan_feature, or read_only.
	for i, op := range ops {
		if op.Auth == "token" && op.Method != "GET" {
			ops[i].Responses[402] = ref("Error")
		}
	}
	return ops
}

// pathParams are the {names} of a path.
func pathParams(p string) []string {
	var out []string
	for seg := range strings.SplitSeq(p, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			out = append(out, strings.Trim(seg, "{}"))
		}
	}
	return out
}

// allSchemas are the components: the platform's and the business's.
func allSchemas() map[string]any {
	platform, business := schemas(), businessSchemas()
	all := make(map[string]any, len(platform)+len(business))
	for _, m := range []map[string]any{platform, business} {
		for k, v := range m {
			all[k] = v
		}
	}
	return all
}

// Document builds the OpenAPI 3.1 document.
func Document() map[string]any {
	paths := map[string]any{}
	for _, op := range operations() {
		item, _ := paths[Prefix+op.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[Prefix+op.Path] = item
		}
		o := map[string]any{"summary": op.Summary, "operationId": strings.ToLower(op.Method) + strings.NewReplacer("/", "_", "{", "", "}", "", "-", "_").Replace(op.Path)}
		if op.Description != "" {
			o["description"] = op.Description
		}
		if op.Tag != "" {
			o["tags"] = []string{op.Tag}
		}
		switch op.Auth {
		case "token":
			o["security"] = []any{map[string]any{"personalToken": []string{}}}
		case "store":
			o["security"] = []any{map[string]any{"storeToken": []string{}}}
		case "client":
			o["security"] = []any{map[string]any{"storeClient": []string{}}, map[string]any{}}
		default:
			o["security"] = []any{}
		}
		var params []any
		for _, name := range pathParams(op.Path) {
			s := tStr
			if name == "id" {
				s = map[string]any{"type": "string", "pattern": "^[0-9]+$"}
			}
			params = append(params, map[string]any{"name": name, "in": "path", "required": true, "schema": s})
		}
		for _, p := range op.Params {
			in := "query"
			if strings.Contains(p.Name, "-") {
				in = "header"
			}
			pm := map[string]any{"name": p.Name, "in": in, "schema": p.Schema}
			if p.Required {
				pm["required"] = true
			}
			if p.Description != "" {
				pm["description"] = p.Description
			}
			params = append(params, pm)
		}
		if params != nil {
			o["parameters"] = params
		}
		if op.Body != nil {
			bt := op.BodyType
			if bt == "" {
				bt = "application/json"
			}
			o["requestBody"] = map[string]any{"required": true, "content": map[string]any{bt: map[string]any{"schema": op.Body}}}
		}
		resps := map[string]any{}
		for status, schema := range op.Responses {
			r := map[string]any{"description": http.StatusText(status)}
			content := map[string]any{}
			if schema != nil {
				content["application/json"] = map[string]any{"schema": schema}
			}
			if status == 200 && op.RawType != "" {
				content[op.RawType] = map[string]any{}
			}
			if len(content) > 0 {
				r["content"] = content
			}
			resps[itoa(int64(status))] = r
		}
		o["responses"] = resps
		item[strings.ToLower(op.Method)] = o
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "PatternVault API", "version": "1",
			"description": "The JSON API of PatternVault: a quilter's pattern library for scripts and apps, and the store delivery API (\"Send to Pattern Manager\") for pattern stores. Errors are {\"error\": {\"code\", \"message\"}} with a stable code."},
		"servers": []any{map[string]any{"url": "/"}},
		"paths":   paths,
		"components": map[string]any{
			"schemas": allSchemas(),
			"securitySchemes": map[string]any{
				"personalToken": map[string]any{"type": "http", "scheme": "bearer", "description": "A personal API token (pv_...) made on the account page; it acts as its person in its workspace."},
				"storeToken":    map[string]any{"type": "http", "scheme": "bearer", "description": "A store key (pvs_...) or a quilter's grant token (pvg_...)."},
				"storeClient":   map[string]any{"type": "http", "scheme": "basic", "description": "client_id store_<id> and client_secret a store key."},
			},
		},
	}
}

var (
	docOnce sync.Once
	docJSON []byte
)

// DocumentJSON is the document as served.
func DocumentJSON() []byte {
	docOnce.Do(func() {
		b, err := json.MarshalIndent(Document(), "", "  ")
		if err != nil {
			panic(err) // built from literals: a test catches it
		}
		docJSON = b
	})
	return docJSON
}

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(DocumentJSON())
}

// Operations returns the documented operations, sorted by path, for the
// API page.
func Operations() []Operation {
	ops := operations()
	sort.SliceStable(ops, func(i, j int) bool { return ops[i].Tag < ops[j].Tag })
	return ops
}
