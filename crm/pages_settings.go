package crm

import "net/http"

func (p *Pages) settingsRoutes(mux *http.ServeMux) {}
