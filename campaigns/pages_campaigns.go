package campaigns

import "net/http"

func (p *Pages) campaignRoutes(mux *http.ServeMux) {}
