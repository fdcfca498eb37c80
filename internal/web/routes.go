package web

import (
	"io/fs"
	"net/http"

	"github.com/patternvault/patternvault/internal/httpx"
	"github.com/patternvault/patternvault/internal/store"
)

// routes is the sitemap of PatternVault: every URL it answers, in one place.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	static, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err) // the embedded folder is part of the binary
	}
	owner, editor, viewer := store.RoleOwner, store.RoleEditor, store.RoleViewer

	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /static/", cacheForever(http.StripPrefix("/static/", http.FileServerFS(static))))
	mux.HandleFunc("GET /{$}", s.home)

	// Signing up and in.
	mux.HandleFunc("GET /signup", s.signupForm)
	mux.HandleFunc("POST /signup", s.signup)
	mux.HandleFunc("GET /verify/sent", s.verifySent)
	mux.Handle("POST /verify/resend", s.signedIn(s.verifyResend))
	mux.HandleFunc("GET /verify", s.verify)
	mux.HandleFunc("GET /signin", s.signinForm)
	mux.HandleFunc("POST /signin", s.signin)
	mux.HandleFunc("POST /signin/magic", s.magicRequest)
	mux.HandleFunc("GET /signin/magic", s.magicUse)
	mux.HandleFunc("GET /signin/google", s.googleBegin)
	mux.HandleFunc("GET "+googleCallback, s.googleFinish)
	mux.HandleFunc("POST /signout", s.signout)
	mux.HandleFunc("GET /forgot", s.forgotForm)
	mux.HandleFunc("POST /forgot", s.forgot)
	mux.HandleFunc("GET /reset", s.resetForm)
	mux.HandleFunc("POST /reset", s.reset)
	mux.HandleFunc("GET /invitations/accept", s.acceptInvitationPage)
	mux.Handle("POST /invitations/accept", s.signedIn(s.acceptInvitation))

	// The signed-in person's own things.
	mux.Handle("GET /workspaces/new", s.signedIn(s.newWorkspaceForm))
	mux.Handle("POST /workspaces/new", s.signedIn(s.newWorkspace))
	mux.Handle("GET /workspaces/slug-check", s.signedIn(s.slugCheck))
	mux.Handle("GET /account", s.signedIn(s.account))
	mux.Handle("POST /account/name", s.signedIn(s.accountName))
	mux.Handle("POST /account/password", s.signedIn(s.accountPassword))
	mux.Handle("POST /account/signout-everywhere", s.signedIn(s.signoutEverywhere))
	mux.Handle("POST /account/tokens", s.signedIn(s.createToken))
	mux.Handle("POST /account/tokens/{id}/revoke", s.signedIn(s.revokeToken))
	mux.Handle("POST /impersonation/stop", s.signedIn(s.stopImpersonating))

	// Pattern stores, the quilter's side: connecting one, claim links, the Inbox.
	mux.Handle("GET /oauth/authorize", s.signedIn(s.consent))
	mux.Handle("POST /oauth/authorize", s.signedIn(s.consentDecide))
	mux.HandleFunc("GET /claim/{token}", s.claim)
	mux.Handle("POST /claim/{token}", s.signedIn(s.claimInto))
	mux.Handle("GET /inbox", s.signedIn(s.inbox))
	mux.Handle("POST /inbox/{id}/accept", s.signedIn(s.inboxAccept))
	mux.Handle("POST /inbox/{id}/decline", s.signedIn(s.inboxDecline))
	mux.Handle("GET /account/stores", s.signedIn(s.connectedStores))
	mux.Handle("POST /account/stores/{id}/disconnect", s.signedIn(s.disconnectStore))

	// A workspace, addressed by path (subdomains are rewritten to it).
	mux.Handle("GET /t/{slug}/{$}", s.member(viewer, lagTolerant(s.libraryGrid)))
	mux.Handle("GET /t/{slug}/logo", s.member(viewer, s.logo))
	mux.Handle("GET /t/{slug}/welcome/team", s.member(owner, s.welcomeTeam))
	mux.Handle("POST /t/{slug}/welcome/team", s.member(owner, s.welcomeTeamInvite))
	mux.Handle("GET /t/{slug}/welcome/import", s.member(editor, s.welcomeImport))
	mux.Handle("GET /t/{slug}/members", s.member(viewer, s.members))
	mux.Handle("POST /t/{slug}/members/invite", s.member(owner, s.invite))
	mux.Handle("POST /t/{slug}/members/{id}/role", s.member(owner, s.changeRole))
	mux.Handle("POST /t/{slug}/members/{id}/remove", s.member(owner, s.removeMember))
	mux.Handle("POST /t/{slug}/invitations/{id}/revoke", s.member(owner, s.revokeInvitation))
	mux.Handle("GET /t/{slug}/settings", s.member(owner, s.workspaceSettings))
	mux.Handle("POST /t/{slug}/settings", s.member(owner, s.renameWorkspace))
	mux.Handle("POST /t/{slug}/settings/logo", s.member(owner, s.uploadLogo))

	// The library.
	mux.Handle("POST /t/{slug}/bulk", s.member(editor, s.bulk))
	mux.Handle("POST /t/{slug}/activity/{id}/undo", s.member(editor, s.undo))
	mux.Handle("POST /t/{slug}/machine", s.member(viewer, s.setMachine))
	mux.Handle("GET /t/{slug}/patterns/{id}", s.member(viewer, s.designPage))
	mux.Handle("GET /t/{slug}/patterns/{id}/thumb/{size}", s.member(viewer, lagTolerant(s.thumbnail)))
	mux.Handle("GET /t/{slug}/patterns/{id}/preview.svg", s.member(viewer, s.previewSVG))
	mux.Handle("GET /t/{slug}/patterns/{id}/download", s.member(viewer, s.download))
	mux.Handle("GET /t/{slug}/patterns/{id}/files/{file}", s.member(viewer, s.downloadFile))
	mux.Handle("POST /t/{slug}/patterns/{id}/favorite", s.member(viewer, s.favorite))
	mux.Handle("POST /t/{slug}/patterns/{id}/edit", s.member(editor, s.editDesign))
	mux.Handle("POST /t/{slug}/patterns/{id}/delete", s.member(editor, s.deleteDesign))
	mux.Handle("POST /t/{slug}/patterns/{id}/orientation", s.member(editor, s.fixOrientation))
	mux.Handle("GET /t/{slug}/imports", s.member(editor, s.imports))
	mux.Handle("POST /t/{slug}/imports", s.member(editor, s.upload))
	mux.Handle("GET /t/{slug}/imports/{id}", s.member(editor, s.importPage))
	mux.Handle("GET /t/{slug}/imports/{id}/status", s.member(editor, s.importStatus))
	mux.Handle("GET /t/{slug}/keywords", s.member(viewer, s.keywords))
	mux.Handle("POST /t/{slug}/keywords/{id}/pin", s.member(viewer, s.pinKeyword))
	mux.Handle("POST /t/{slug}/keywords/{id}/rename", s.member(editor, s.renameKeyword))
	mux.Handle("POST /t/{slug}/keywords/{id}/merge", s.member(editor, s.mergeKeyword))
	mux.Handle("POST /t/{slug}/keywords/{id}/delete", s.member(editor, s.deleteKeyword))
	mux.Handle("POST /t/{slug}/keywords/{id}/group", s.member(editor, s.groupKeyword))
	mux.Handle("POST /t/{slug}/keyword-groups", s.member(editor, s.createGroup))
	mux.Handle("POST /t/{slug}/keyword-groups/{id}/delete", s.member(editor, s.deleteGroup))
	mux.Handle("GET /t/{slug}/searches", s.member(owner, s.searchStats))
	mux.Handle("POST /t/{slug}/saved-searches", s.member(viewer, s.saveSearch))
	mux.Handle("POST /t/{slug}/saved-searches/{id}/delete", s.member(viewer, s.deleteSavedSearch))
	mux.Handle("GET /t/{slug}/review/orientation", s.member(editor, s.orientation))
	mux.Handle("GET /t/{slug}/review/duplicates", s.member(editor, s.duplicates))
	mux.Handle("POST /t/{slug}/review/duplicates", s.member(editor, s.decideDuplicate))

	// Share links: the quilter's side.
	mux.Handle("GET /t/{slug}/shares", s.member(viewer, s.sharesList))
	mux.Handle("GET /t/{slug}/shares/new", s.member(editor, s.newShareForm))
	mux.Handle("POST /t/{slug}/shares", s.member(editor, s.createShare))
	mux.Handle("GET /t/{slug}/shares/{id}", s.member(viewer, s.shareResults))
	mux.Handle("POST /t/{slug}/shares/{id}/extend", s.member(editor, s.shareExtend))
	mux.Handle("POST /t/{slug}/shares/{id}/revoke", s.member(editor, s.shareRevoke))
	mux.Handle("POST /t/{slug}/shares/{id}/reopen", s.member(editor, s.shareReopen))
	mux.Handle("POST /t/{slug}/shares/{id}/delete", s.member(editor, s.shareDelete))
	mux.Handle("POST /t/{slug}/shares/{id}/duplicate", s.member(editor, s.shareDuplicate))
	mux.Handle("POST /t/{slug}/shares/{id}/voters", s.member(editor, s.shareVoterCap))
	mux.Handle("POST /t/{slug}/shares/{id}/voters/remove", s.member(editor, s.shareRemoveVoter))

	// The business (internal/business): owners and editors only; viewers
	// see the finished quilts on a design's page, nothing else of it.
	mux.Handle("GET /t/{slug}/business", s.member(editor, s.businessHome))
	mux.Handle("GET /t/{slug}/business/prices", s.member(editor, s.prices))
	mux.Handle("POST /t/{slug}/business/prices", s.member(editor, s.saveSettings))
	mux.Handle("POST /t/{slug}/business/prices/items", s.member(editor, s.saveItem))
	mux.Handle("POST /t/{slug}/business/prices/items/{id}", s.member(editor, s.saveItem))
	mux.Handle("POST /t/{slug}/business/prices/items/{id}/delete", s.member(editor, s.deleteItem))
	mux.Handle("GET /t/{slug}/customers", s.member(editor, s.customers))
	mux.Handle("POST /t/{slug}/customers", s.member(editor, s.createCustomer))
	mux.Handle("POST /t/{slug}/customers/import", s.member(editor, s.importCustomers))
	mux.Handle("GET /t/{slug}/customers/{id}", s.member(editor, s.customer))
	mux.Handle("POST /t/{slug}/customers/{id}", s.member(editor, s.updateCustomer))
	mux.Handle("POST /t/{slug}/customers/{id}/delete", s.member(editor, s.deleteCustomer))
	mux.Handle("GET /t/{slug}/jobs", s.member(editor, s.jobs))
	mux.Handle("GET /t/{slug}/jobs/new", s.member(editor, s.newJobForm))
	mux.Handle("POST /t/{slug}/jobs", s.member(editor, s.createJob))
	mux.Handle("GET /t/{slug}/jobs/{id}", s.member(editor, s.job))
	mux.Handle("POST /t/{slug}/jobs/{id}", s.member(editor, s.updateJob))
	mux.Handle("POST /t/{slug}/jobs/{id}/lines", s.member(editor, s.adjustLines))
	mux.Handle("POST /t/{slug}/jobs/{id}/status", s.member(editor, s.jobStatus))
	mux.Handle("POST /t/{slug}/jobs/{id}/send-quote", s.member(editor, s.sendQuote))
	mux.Handle("POST /t/{slug}/jobs/{id}/status-link", s.member(editor, s.newStatusLink))
	mux.Handle("POST /t/{slug}/jobs/{id}/move", s.member(editor, s.moveJob))
	mux.Handle("POST /t/{slug}/jobs/{id}/hours", s.member(editor, s.jobHours))
	mux.Handle("POST /t/{slug}/jobs/{id}/photos", s.member(editor, s.jobPhoto))
	mux.Handle("POST /t/{slug}/jobs/{id}/invoice", s.member(editor, s.jobInvoice))
	mux.Handle("GET /t/{slug}/queue", s.member(editor, s.queue))
	mux.Handle("GET /t/{slug}/queue/calendar", s.member(editor, s.calendar))
	mux.Handle("GET /t/{slug}/invoices", s.member(editor, s.invoices))
	mux.Handle("GET /t/{slug}/invoices/{id}", s.member(editor, s.invoice))
	mux.Handle("GET /t/{slug}/invoices/{id}/pdf", s.member(editor, s.invoicePDF))
	mux.Handle("POST /t/{slug}/invoices/{id}/issue", s.member(editor, s.issueInvoice))
	mux.Handle("POST /t/{slug}/invoices/{id}/send", s.member(editor, s.sendInvoice))
	mux.Handle("POST /t/{slug}/invoices/{id}/void", s.member(editor, s.voidInvoice))
	mux.Handle("POST /t/{slug}/invoices/{id}/payments", s.member(editor, s.addPayment))
	mux.Handle("GET /t/{slug}/costs", s.member(editor, s.costs))
	mux.Handle("POST /t/{slug}/costs", s.member(editor, s.addExpense))
	mux.Handle("POST /t/{slug}/costs/{id}/delete", s.member(editor, s.deleteExpense))
	mux.Handle("GET /t/{slug}/analytics", s.member(editor, s.analytics))
	mux.Handle("GET /t/{slug}/analytics/{table}", s.member(editor, s.analyticsCSV))
	mux.Handle("GET /t/{slug}/tax", s.member(editor, s.tax))
	mux.Handle("GET /t/{slug}/tax/{kind}", s.member(editor, s.taxCSV))
	mux.Handle("GET /t/{slug}/portfolio", s.member(editor, s.portfolio))
	mux.Handle("POST /t/{slug}/portfolio", s.member(editor, s.addPortfolioPhoto))
	mux.Handle("POST /t/{slug}/portfolio/{id}", s.member(editor, s.updatePhoto))
	mux.Handle("POST /t/{slug}/portfolio/{id}/delete", s.member(editor, s.deletePhoto))
	mux.Handle("GET /t/{slug}/photos/{id}/{size}", s.member(viewer, s.photo))

	// The business: the customer's side, no account; a token reaches one
	// job, and the gallery shows only what the quilter made public.
	mux.Handle("GET /t/{slug}/quote/{token}", s.publicTenant(s.publicQuote))
	mux.Handle("POST /t/{slug}/quote/{token}/accept", s.publicTenant(s.acceptQuote))
	mux.Handle("GET /t/{slug}/status/{token}", s.publicTenant(s.publicStatus))
	mux.Handle("GET /t/{slug}/gallery", s.publicTenant(s.gallery))
	mux.Handle("GET /t/{slug}/gallery/{id}/{size}", s.publicTenant(s.galleryPhoto))

	// Share links: the customer's side, no account; reaches only the link's designs.
	mux.HandleFunc("GET /s/{token}", lagTolerant(s.sharePublic))
	mux.HandleFunc("POST /s/{token}/name", s.shareName)
	mux.HandleFunc("POST /s/{token}/votes", s.shareVote)
	mux.HandleFunc("POST /s/{token}/done", s.shareDone)
	mux.HandleFunc("GET /s/{token}/thumb/{id}", lagTolerant(s.shareThumb))
	mux.HandleFunc("GET /s/{token}/logo", s.shareLogo)
	mux.HandleFunc("GET /s/{token}/download/{id}", s.shareDownload)

	// The JSON API, for scripts, stores and apps (token auth, no cookies).
	mux.HandleFunc("GET /api", s.apiPage)
	mux.Handle("/api/v1/", s.api)
	mux.Handle("/t/{slug}/api/v1/", s.api)

	// Platform administration.
	mux.Handle("GET /admin", s.platformAdmin(s.adminTenants))
	mux.Handle("POST /admin/tenants/{id}/suspend", s.platformAdmin(s.adminSetStatus(store.TenantSuspended)))
	mux.Handle("POST /admin/tenants/{id}/resume", s.platformAdmin(s.adminSetStatus(store.TenantActive)))
	mux.Handle("POST /admin/tenants/{id}/impersonate", s.platformAdmin(s.impersonate))
	mux.Handle("GET /admin/audit", s.platformAdmin(s.adminAudit))
	mux.Handle("GET /admin/health", s.platformAdmin(s.adminHealth))
	mux.Handle("GET /admin/stores", s.platformAdmin(s.adminStores))
	mux.Handle("POST /admin/stores", s.platformAdmin(s.adminCreateStore))
	mux.Handle("GET /admin/stores/meter.csv", s.platformAdmin(s.adminMeterCSV))
	mux.Handle("GET /admin/stores/{id}", s.platformAdmin(s.adminStore))
	mux.Handle("POST /admin/stores/{id}/keys", s.platformAdmin(s.adminRotateKey))
	mux.Handle("POST /admin/stores/{id}/keys/{key}/revoke", s.platformAdmin(s.adminRevokeKey))
	mux.Handle("POST /admin/stores/{id}/disable", s.platformAdmin(s.adminStoreDisabled(true)))
	mux.Handle("POST /admin/stores/{id}/enable", s.platformAdmin(s.adminStoreDisabled(false)))

	mux.HandleFunc("/", s.notFound)

	protect := http.NewCrossOriginProtection()
	return httpx.RequestIDs(httpx.ClientIPs(s.cfg.TrustedProxies, s.logRequests(s.recoverPanics(s.securityHeaders(protect.Handler(s.markWrites(s.subdomains(s.loadSession(s.ownPassword(routeOf(mux)))))))))))
}
