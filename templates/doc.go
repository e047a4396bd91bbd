// Package templates will hold the personalisation engine and every embedded
// template: default invitation emails and the web UI's pages.
package templates
